// The colour mode: "auto" follows the system, "light" or "dark" is the user's choice, kept in
// localStorage. Loaded in <head> without defer so that data-bs-theme is set before the first
// paint (no flash of the other mode); the Content-Security-Policy refuses inline scripts.
(() => {
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  const stored = () => {
    try {
      return localStorage.getItem("theme") || "auto";
    } catch {
      return "auto";
    }
  };
  const apply = (choice) => {
    const mode = choice === "auto" ? (system.matches ? "dark" : "light") : choice;
    document.documentElement.setAttribute("data-bs-theme", mode);
    for (const button of document.querySelectorAll("[data-theme-value]")) {
      const chosen = button.dataset.themeValue === choice;
      button.classList.toggle("active", chosen);
      button.setAttribute("aria-pressed", String(chosen));
    }
  };
  apply(stored());
  system.addEventListener("change", () => apply(stored()));
  document.addEventListener("DOMContentLoaded", () => apply(stored()));
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-theme-value]");
    if (button) {
      try {
        localStorage.setItem("theme", button.dataset.themeValue);
      } catch {
        // Not remembered (storage refused), but still applied to this page.
      }
      apply(button.dataset.themeValue);
    }
  });
})();
