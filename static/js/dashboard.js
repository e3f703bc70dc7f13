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

	var branding = document.getElementById("branding");
	var preview = document.getElementById("preview");
	if (branding && preview) {
		var fonts = {
			system: "system-ui, sans-serif", serif: "Georgia, serif",
			rounded: "ui-rounded, system-ui, sans-serif", mono: "ui-monospace, monospace"
		};
		var corners = { square: "0", rounded: "10px", pill: "22px" };
		var update = function () {
			preview.style.setProperty("--pv-color", branding.elements.color.value);
			preview.style.setProperty("--pv-font", fonts[branding.elements.font.value] || fonts.system);
			preview.style.setProperty("--pv-radius", corners[branding.elements.corners.value] || "10px");
			document.getElementById("pv-name").textContent = branding.elements.name.value;
		};
		branding.addEventListener("input", update);
		branding.addEventListener("change", update);
		update();
	}
})();
