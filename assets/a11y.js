/* What the widgets do not say or do by themselves, for keyboards and screen readers.
 *
 * Month names: Mantine's slider thumbs announce their position (0, 1, ...). Each thumb
 * inside an element with `data-month-names` (a JSON list of names, one per position) gets
 * aria-valuetext naming the month, kept in step with aria-valuenow.
 *
 * Copy link: dcc.Clipboard draws a <div> with a click handler; it becomes a button that
 * Tab reaches and Enter / Space press.
 *
 * openRowOnEnter (window.dashAgGridFunctions, an AG Grid cellKeyDown listener): Enter on a
 * focused grid cell does what a click does (sets cellClicked: the document opens).
 */
(function () {
  "use strict";
  var names = {};  // the data-month-names text -> its parsed list

  function monthNames(holder) {
    var text = holder.getAttribute("data-month-names") || "[]";
    if (!(text in names)) {
      try { names[text] = JSON.parse(text); } catch (e) { names[text] = []; }
    }
    return names[text];
  }

  function nameMonths() {
    document.querySelectorAll("[data-month-names]").forEach(function (holder) {
      var months = monthNames(holder);
      holder.querySelectorAll("[role='slider']").forEach(function (thumb) {
        var month = months[Number(thumb.getAttribute("aria-valuenow"))];
        if (month && thumb.getAttribute("aria-valuetext") !== month) {
          thumb.setAttribute("aria-valuetext", month);
        }
      });
    });
  }

  function pressOnKeys(event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      event.currentTarget.click();
    }
  }

  function clipboardButtons() {
    document.querySelectorAll(".copy-link > div[title]:not([role])").forEach(function (copy) {
      copy.setAttribute("role", "button");
      copy.setAttribute("tabindex", "0");
      copy.setAttribute("aria-label", copy.getAttribute("title"));
      copy.addEventListener("keydown", pressOnKeys);
    });
  }

  function mend() {
    nameMonths();
    clipboardButtons();
  }

  function start() {
    mend();
    new MutationObserver(mend).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  var gridFuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  gridFuncs.openRowOnEnter = function (params, setGridProps) {
    if (!params || !params.event || params.event.key !== "Enter" || !params.node) return;
    setGridProps({
      cellClicked: {
        value: params.value, colId: params.column && params.column.getColId(),
        rowIndex: params.rowIndex, rowId: params.node.id, timestamp: Date.now(),
      },
    });
  };
})();
