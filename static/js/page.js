// The hosted pages' own script; every page works without it. It folds the
// order's lines on a phone, writes times in the buyer's time zone and
// language, and shows a payment form as processing once it is sent, so that
// it is not sent twice.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  // On a phone the order's lines fold away under the total, which stays.
  var details = document.getElementById("order-details");
  if (details && window.matchMedia("(max-width: 40rem)").matches && !document.querySelector("[aria-invalid=true]")) {
    details.open = false;
  }
  document.querySelectorAll("time[data-local]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (isNaN(d.getTime())) return;
    try {
      t.textContent = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(d);
      t.title = t.getAttribute("datetime");
    } catch (e) { /* the server's UTC text stays */ }
  });
  document.querySelectorAll("form[method=post]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (f.dataset.sent) { e.preventDefault(); return; }
      f.dataset.sent = "1";
      var b = f.querySelector("button[type=submit]");
      if (b) {
        b.setAttribute("aria-busy", "true");
        b.classList.add("busy");
        if (b.dataset.processing) b.textContent = b.dataset.processing;
        // Disabled after the submit has been taken, so the browser still sends the form.
        setTimeout(function () { b.disabled = true; }, 0);
      }
    });
  });
})();
