// Buttons marked with data-copy="<id>" copy that field's text to the clipboard and say so in
// the status line that follows the field's group (the new API token's page).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(`${button.dataset.copy}-copied`);
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // Without the clipboard API (plain http on another host): select the text to copy by hand.
    field.select();
    return;
  }
  if (status) {
    status.textContent = button.dataset.copied;
  }
});
