// Formats the sandbox card form as the buyer types: the number in groups of
// four and the expiry as "MM / YY" (phone keypads have no "/"). The server
// reads the digits with or without it, so the form works without this.
(function () {
  "use strict";
  var number = document.getElementById("number");
  var expiry = document.getElementById("expiry");
  if (number) {
    number.addEventListener("input", function () {
      var d = number.value.replace(/\D/g, "").slice(0, 19);
      number.value = d.replace(/(\d{4})(?=\d)/g, "$1 ");
    });
  }
  if (expiry) {
    expiry.addEventListener("input", function (e) {
      var d = expiry.value.replace(/\D/g, "").slice(0, 6);
      if (d.length === 1 && d > "1") {
        d = "0" + d; // "4" can only be April
      }
      var deleting = e.inputType && e.inputType.indexOf("delete") === 0;
      expiry.value = d.length >= 2 && !(deleting && d.length === 2) ? d.slice(0, 2) + " / " + d.slice(2) : d;
    });
  }
})();
