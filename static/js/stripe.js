// Mounts Stripe's Payment Element on the hosted page and confirms the payment.
// Completion comes from Stripe's webhook; the return page only polls.
(function () {
  "use strict";
  var form = document.getElementById("stripe-form");
  if (!form) return;
  var errorBox = document.getElementById("stripe-error");
  var button = document.getElementById("stripe-pay");
  function show(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }
  if (typeof Stripe !== "function") {
    button.disabled = true;
    show("The card form could not load. Check your connection and reload the page.");
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: window.location.origin + form.dataset.returnPath }
    }).then(function (result) {
      if (result.error) {
        show(result.error.message);
        button.disabled = false;
      }
    });
  });
})();
