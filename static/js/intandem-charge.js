// The card iframe of inTandem's back-office charge. The parent (inTandem)
// posts getToken; we check the card with our server and answer with a
// single-use token or validationFailure. Messages from any other origin than
// the configured parents are ignored, and answers go only to the asking origin.
(function () {
  "use strict";
  var root = document.getElementById("charge");
  if (!root) return;
  var parents = (root.dataset.parentOrigins || "").split(" ").filter(Boolean);
  var errors = document.getElementById("charge-errors");
  var saveCard = false;
  var stripe = null, elements = null;

  function show(list) {
    errors.textContent = list.join(" ");
    errors.hidden = list.length === 0;
  }
  function field(id) {
    var el = document.getElementById(id);
    return el ? el.value : "";
  }
  function answer(event, message) {
    event.source.postMessage(message, event.origin);
  }
  function fail(event, list) {
    show(list);
    answer(event, { type: "generic", func: "validationFailure" });
  }

  if (root.dataset.provider === "stripe") {
    if (typeof Stripe !== "function") {
      show(["The card form could not load. Reload the page."]);
    } else {
      stripe = Stripe(root.dataset.publishableKey);
      elements = stripe.elements({ mode: "setup", currency: (root.dataset.currency || "usd").toLowerCase(), paymentMethodCreation: "manual" });
      elements.create("payment").mount("#payment-element");
    }
  }

  function requestToken(event, params, extra) {
    var body = {
      pivot_id: root.dataset.pivotId, amount: params.amount, currency: params.currency,
      client_id: params.client_id, save_card: saveCard || !!params.save_card
    };
    for (var k in extra) body[k] = extra[k];
    fetch(root.dataset.tokenUrl, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), credentials: "same-origin"
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; });
    }).then(function (res) {
      if (!res.ok || !res.body.token) {
        fail(event, res.body.errors || ["The card could not be checked."]);
        return;
      }
      show([]);
      var message = { type: "generic", token: res.body.token };
      if (body.save_card) message.cardholder_name = res.body.cardholder_name || "";
      answer(event, message);
    }).catch(function () {
      fail(event, ["The card could not be checked. Try again."]);
    });
  }

  window.addEventListener("message", function (event) {
    if (parents.indexOf(event.origin) < 0) return;
    var data = event.data || {};
    if (data.type !== "generic") return;
    if (data.func === "setSaveCard") {
      saveCard = !!(data.params && data.params.checked && data.params.checked.checked);
      return;
    }
    if (data.func !== "getToken") return;
    var params = data.params || {};
    if (stripe) {
      elements.submit().then(function (r) {
        if (r.error) { fail(event, [r.error.message]); return null; }
        return stripe.createPaymentMethod({ elements: elements });
      }).then(function (r) {
        if (!r) return;
        if (r.error) { fail(event, [r.error.message]); return; }
        requestToken(event, params, { payment_method: r.paymentMethod.id });
      });
      return;
    }
    requestToken(event, params, {
      number: field("number"), expiry: field("expiry"), cvc: field("cvc"), name: field("name")
    });
  });
})();
