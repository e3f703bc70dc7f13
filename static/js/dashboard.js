// pgw dashboard: live totals, the branding preview, copy buttons and
// confirmations. Every page works without it.
(function () {
	"use strict";

	document.querySelectorAll("[data-confirm]").forEach(function (b) {
		b.addEventListener("click", function (e) {
			var msg = b.getAttribute("data-confirm");
			var field = b.getAttribute("data-confirm-value");
			if (field) msg = msg.replace("{value}", document.getElementById(field).value.trim());
			if (!window.confirm(msg)) e.preventDefault();
		});
	});

	document.querySelectorAll("[data-copy]").forEach(function (b) {
		b.addEventListener("click", function () {
			var input = document.getElementById(b.getAttribute("data-copy"));
			input.select();
			var done = function () { b.textContent = "Copied"; };
			if (navigator.clipboard) {
				navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
			} else {
				document.execCommand("copy");
				done();
			}
		});
	});

	document.querySelectorAll("[data-autosubmit]").forEach(function (s) {
		s.addEventListener("change", function () { s.form.submit(); });
	});

	var form = document.getElementById("link-form");
	if (form) {
		var items = document.getElementById("items");
		var out = document.getElementById("link-total");
		var currency = document.getElementById("currency");
		var total = function () {
			var sum = 0, ok = true;
			items.querySelectorAll(".item").forEach(function (row) {
				var q = row.querySelector("[name=item_qty]").value.trim();
				var p = row.querySelector("[name=item_price]").value.trim();
				if (p === "") return;
				var qn = Number(q), pn = Number(p);
				if (!Number.isInteger(qn) || qn < 1 || !isFinite(pn) || pn <= 0) { ok = false; return; }
				sum += Math.round(qn * pn * 1000) / 1000;
			});
			if (!ok) { out.textContent = "check the items"; return; }
			try {
				out.textContent = new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency: currency.value }).format(sum);
			} catch (e) {
				out.textContent = sum.toFixed(2) + " " + currency.value;
			}
		};
		form.addEventListener("input", total);
		form.addEventListener("change", total);
		document.getElementById("add-item").addEventListener("click", function () {
			var rows = items.querySelectorAll(".item");
			var row = rows[rows.length - 1].cloneNode(true);
			var n = rows.length;
			row.querySelectorAll("input").forEach(function (i) {
				var base = i.id.replace(/-\d+$/, "");
				i.id = base + "-" + n;
				i.value = i.name === "item_qty" ? "1" : "";
			});
			row.querySelectorAll("label").forEach(function (l) {
				l.htmlFor = l.htmlFor.replace(/-\d+$/, "") + "-" + n;
			});
			items.appendChild(row);
			row.querySelector("input").focus();
		});
		total();
	}

	// The branding preview is the real payment page, rendered again with the
	// values typed so far; the contrast warning follows the colour.
	var branding = document.getElementById("branding");
	var preview = document.getElementById("preview");
	if (branding && preview && preview.tagName === "IFRAME") {
		var luminance = function (hex) {
			var c = [1, 3, 5].map(function (i) {
				var v = parseInt(hex.substr(i, 2), 16) / 255;
				return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
			});
			return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
		};
		var timer;
		var update = function () {
			var e = branding.elements, q = new URLSearchParams();
			q.set("name", e.name.value);
			q.set("logo_url", e.logo_url.value);
			q.set("color", e.color.value);
			q.set("font", e.font.value);
			q.set("corners", e.corners.value);
			clearTimeout(timer);
			timer = setTimeout(function () { preview.src = preview.getAttribute("data-base") + "?" + q.toString(); }, 300);
			var warn = document.getElementById("contrast-live");
			var saved = document.getElementById("contrast-warning");
			if (/^#[0-9a-fA-F]{6}$/.test(e.color.value)) {
				var low = 1.05 / (luminance(e.color.value) + 0.05) < 4.5;
				var same = !!saved && saved.getAttribute("data-color") === e.color.value;
				if (saved) saved.hidden = !same;
				warn.hidden = !low || same;
			}
		};
		branding.addEventListener("input", update);
		branding.addEventListener("change", update);
	}
})();
