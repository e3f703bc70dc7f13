// Mounts the API reference on #reference from the document the page names.
window.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("reference");
  window.ui = SwaggerUIBundle({
    url: el.dataset.spec,
    dom_id: "#reference",
    deepLinking: true,
    displayOperationId: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
