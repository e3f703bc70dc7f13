// Updates the hosted page's taxes and total as the buyer chooses a country or
// types a VAT ID, by asking our own page for the same details; the "Update
// total" button does the same without JavaScript. A page with a card form of
// Stripe reloads instead: its payment is for one country's total.
(() => {
  const form = document.getElementById("tax-form");
  if (!form) return;
  let timer = 0, seq = 0;
  const query = () => new URLSearchParams(new FormData(form)).toString();
  const swap = (doc, selector) => {
    const now = document.querySelector(selector), next = doc.querySelector(selector);
    if (now && next) now.replaceWith(next);
  };
  const refresh = () => {
    const url = form.action + "?" + query();
    if (document.getElementById("stripe-form") || document.getElementById("stripe-error")) {
      location.assign(url);
      return;
    }
    const n = ++seq;
    fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((html) => {
      if (n !== seq) return;
      const doc = new DOMParser().parseFromString(html, "text/html");
      swap(doc, "table.items");
      for (const id of ["tax-help", "tax-note", "tax-reason"]) {
        document.querySelectorAll("#" + id).forEach((el) => el.remove());
        doc.querySelectorAll("#" + id).forEach((el) => form.appendChild(el));
      }
      const pay = document.getElementById("pay"), next = doc.getElementById("pay");
      if (pay && next) pay.textContent = next.textContent;
      history.replaceState(null, "", url);
    }).catch(() => { /* the button still works */ });
  };
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 100); });
  for (const id of ["tax-vat", "tax-postcode"]) {
    const el = document.getElementById(id);
    if (el) el.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 600); });
  }
  // The card form pays with the details shown.
  const card = document.getElementById("card-form");
  if (card) card.addEventListener("submit", () => {
    for (const [name, id] of [["country", "tax-country"], ["vat_id", "tax-vat"], ["postcode", "tax-postcode"], ["company", "tax-company"]]) {
      let input = card.querySelector('input[type="hidden"][name="' + name + '"]');
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        card.appendChild(input);
      }
      input.value = document.getElementById(id).value;
    }
  });
})();
