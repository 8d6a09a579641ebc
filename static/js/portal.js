// Forms marked with data-confirm ask before they are sent (deleting, discarding).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// Selects marked with data-submit-on-change send their form when a choice is made (the
// language switch). Behaviour lives here, not in on...= attributes, which the
// Content-Security-Policy refuses.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) {
    select.form.requestSubmit();
  }
});
