// Pickers (aims/core/pickers.py): a <select data-picker> becomes a searchable Tom Select.
// "search": every choice is in the page; "remote": the page holds the chosen ones, the rest
// come from data-picker-url (JSON: results [{value, label, optgroup}], more), page by page.
// The <select> stays the form's field, so the form posts exactly what it did before.
(function () {
  "use strict";

  function remoteSettings(select) {
    return {
      plugins: ["virtual_scroll"],
      preload: "focus",  // the first page opens with the picker; typing narrows it
      shouldLoad: function () { return true; },
      firstUrl: function (query) {
        var url = new URL(select.dataset.pickerUrl, window.location.href);
        url.searchParams.set("q", query);
        url.searchParams.set("page", "1");
        return url.toString();
      },
      load: function (query, callback) {
        var picker = this;
        var url = picker.getUrl(query);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) throw new Error(response.statusText);
            return response.json();
          })
          .then(function (data) {
            if (data.more) {
              var next = new URL(url);
              next.searchParams.set("page", String(Number(next.searchParams.get("page")) + 1));
              picker.setNextUrl(query, next.toString());
            }
            var groups = [];
            data.results.forEach(function (item) {
              if (item.optgroup && groups.indexOf(item.optgroup) < 0) groups.push(item.optgroup);
            });
            callback(
              data.results,
              groups.map(function (name) { return { value: name, label: name }; })
            );
          })
          .catch(function () { callback(); });
      },
      render: {
        loading_more: function () {
          return "<div class=\"loading-more-results py-2 d-flex align-items-center\"><div class=\"spinner\"></div> " +
            escapeHtml(select.dataset.pickerLoadingMore) + "</div>";
        },
        no_more_results: function () {
          return "<div class=\"no-more-results\">" + escapeHtml(select.dataset.pickerNoMore) + "</div>";
        },
      },
    };
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text || "";
    return div.innerHTML;
  }

  function init(select) {
    if (select.tomselect) return;
    // Tom Select points the <label> at its own input; the hidden <select> keeps its name.
    var label = select.labels && select.labels[0];
    if (label && !select.hasAttribute("aria-label")) {
      select.setAttribute("aria-label", label.textContent.trim());
    }
    var remote = select.dataset.picker === "remote";
    var settings = {
      labelField: "label",
      searchField: ["label"],
      optgroupLabelField: "label",
      // The order the server gives (catalogue order, groups together), not by match score.
      sortField: [{ field: "$order" }, { field: "$score" }],
      allowEmptyOption: true,
      maxOptions: null,
      placeholder: select.dataset.pickerPlaceholder,
      hidePlaceholder: false,
      closeAfterSelect: !select.multiple,
      // Of several choices, the next is searched for afresh, not among the last one's matches.
      clearAfterSelect: select.multiple,
      plugins: select.multiple ? ["remove_button"] : [],
      render: {
        no_results: function () {
          return "<div class=\"no-results\">" + escapeHtml(select.dataset.pickerNoResults) + "</div>";
        },
      },
    };
    if (remote) {
      var extra = remoteSettings(select);
      settings.plugins = settings.plugins.concat(extra.plugins);
      settings.firstUrl = extra.firstUrl;
      settings.load = extra.load;
      settings.preload = extra.preload;
      settings.shouldLoad = extra.shouldLoad;
      settings.maxOptions = 1000;
      Object.assign(settings.render, extra.render);
    }
    new TomSelect(select, settings);
  }

  function initIn(root) {
    root.querySelectorAll("select[data-picker]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", function () { initIn(document); });
  // Forms that htmx swaps in later.
  document.addEventListener("htmx:load", function (event) { initIn(event.detail.elt); });
})();
