// Register lists: the header checkbox selects or clears every row of the page for bulk edit.
// Listens on the document, so it keeps working after HTMX replaces the table.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (all) {
    const name = all.dataset.selectAll;
    document
      .querySelectorAll(`input[type="checkbox"][name="${name}"][form="bulk-edit-form"]`)
      .forEach((box) => {
        box.checked = all.checked;
      });
  }
});
