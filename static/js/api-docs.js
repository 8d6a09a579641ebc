// Swagger UI for /api/docs/: the schema from the page's data attribute, and "Try it out"
// requests sent with the browser's session and its CSRF token (no inline script: the CSP).
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Tags closed at first: hundreds of operations open at once take long to draw.
    docExpansion: "none",
    presets: [SwaggerUIBundle.presets.apis],
    requestInterceptor: (request) => {
      request.headers["X-CSRFToken"] = root.dataset.csrfToken;
      return request;
    },
  });
});
