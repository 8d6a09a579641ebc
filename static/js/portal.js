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
// Controls marked with data-busy="Preparing …" take a while (PDFs, exports, imports, audit
// packs): on use they show a spinner and that text and refuse a second use. A link fetches its
// file in the page and saves it, so the control comes back once the file has arrived; a form's
// button stays busy until the next page replaces this one.
function showBusy(control) {
  const content = Array.from(control.childNodes);
  const spinner = document.createElement("span");
  spinner.className = "spinner-border spinner-border-sm me-1";
  spinner.setAttribute("aria-hidden", "true");
  const label = document.createElement("span");
  label.setAttribute("role", "status");
  label.textContent = control.dataset.busy;
  control.replaceChildren(spinner, label);
  control.classList.add("disabled", "is-busy");
  control.setAttribute("aria-disabled", "true");
  control.setAttribute("aria-busy", "true");
  return () => {
    control.replaceChildren(...content);
    control.classList.remove("disabled", "is-busy");
    control.removeAttribute("aria-disabled");
    control.removeAttribute("aria-busy");
  };
}

function fileName(disposition) {
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (encoded) {
    return decodeURIComponent(encoded[1]);
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : "download";
}

function saveFile(blob, name) {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = name;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-busy]");
  const newTab = event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey;
  if (!link || event.defaultPrevented || newTab) {
    return;
  }
  event.preventDefault();
  if (link.classList.contains("is-busy")) {
    return;
  }
  const restore = showBusy(link);
  try {
    const response = await fetch(link.href, { credentials: "same-origin" });
    const disposition = response.headers.get("Content-Disposition") || "";
    if (!response.ok || !/attachment/i.test(disposition)) {
      // Not a file (an error, a log-in page): let the browser show what the server answers.
      window.location.assign(link.href);
      return;
    }
    saveFile(await response.blob(), fileName(disposition));
  } catch {
    window.location.assign(link.href);
  } finally {
    restore();
  }
});

const busyButtons = [];
document.addEventListener("submit", (event) => {
  const button = event.submitter && event.submitter.closest("[data-busy]");
  if (!button || event.defaultPrevented) {
    return;
  }
  if (button.classList.contains("is-busy")) {
    event.preventDefault();
    return;
  }
  busyButtons.push(showBusy(button));
});

// A page restored from the back-forward cache shows its buttons ready again.
window.addEventListener("pageshow", () => {
  while (busyButtons.length) {
    busyButtons.pop()();
  }
});
// "/" outside a text field moves to the navigation's search box.
document.addEventListener("keydown", (event) => {
  const search = document.getElementById("nav-search");
  const typing = event.target.closest("input, textarea, select, [contenteditable]");
  if (event.key === "/" && search && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    search.focus();
  }
});
