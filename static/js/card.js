// Formats the sandbox card form as the buyer types: the number in groups of
// four (4-6-5 for American Express) with its brand shown, and the expiry as
// "MM / YY" (phone keypads have no "/"). The server
// reads the digits with or without it, so the form works without this.
(function () {
  "use strict";
  var number = document.getElementById("number");
  var expiry = document.getElementById("expiry");
  var brandTag = document.getElementById("card-brand");
  function brandOf(d) {
    var p2 = +d.slice(0, 2), p4 = +d.slice(0, 4);
    if (d[0] === "4") return "Visa";
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return "Mastercard";
    if (p2 === 34 || p2 === 37) return "American Express";
    if (p4 === 6011 || p2 === 65) return "Discover";
    return "";
  }
  if (number) {
    number.addEventListener("input", function () {
      var d = number.value.replace(/\D/g, "").slice(0, 19);
      var brand = brandOf(d);
      // American Express groups 4-6-5, the others by four.
      number.value = brand === "American Express" ? d.slice(0, 15).replace(/^(\d{4})(\d{1,6})?(\d{1,5})?$/, function (m, a, b, c) {
        return [a, b, c].filter(Boolean).join(" ");
      }) : d.replace(/(\d{4})(?=\d)/g, "$1 ");
      if (brandTag) brandTag.textContent = brand;
      number.dataset.brand = brand;
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
