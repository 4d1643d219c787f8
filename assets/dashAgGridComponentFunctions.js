/* Cell renderers for the passage grid (dash-ag-grid looks them up by name).
 *
 * HighlightedText: the passage text with people / search matches marked. It builds React
 * elements from plain strings (React renders them as DOM text nodes) and <mark> elements;
 * corpus text is never parsed as HTML (no HTML strings are ever handed to the DOM).
 * props.data.marks: [[start, end, kind], ...] in code points (Python str indices),
 * sorted and non-overlapping; kind is one of "match", "person", "search".
 */
(function () {
  "use strict";
  var funcs = (window.dashAgGridComponentFunctions =
    window.dashAgGridComponentFunctions || {});
  var KINDS = { match: "chosen person", person: "person", search: "search match" };

  funcs.HighlightedText = function (props) {
    var text = props.value == null ? "" : String(props.value);
    var chars = Array.from(text); // code points, like Python string indices
    var marks = props.data && Array.isArray(props.data.marks) ? props.data.marks : [];
    var children = [];
    var pos = 0;
    for (var i = 0; i < marks.length; i++) {
      var m = marks[i];
      if (!Array.isArray(m) || m.length < 3) continue;
      var start = m[0], end = m[1], kind = m[2];
      if (typeof start !== "number" || typeof end !== "number") continue;
      if (!Object.prototype.hasOwnProperty.call(KINDS, kind)) continue;
      if (start < pos || end <= start || end > chars.length) continue;
      if (start > pos) children.push(chars.slice(pos, start).join(""));
      children.push(
        React.createElement(
          "mark",
          { key: "m" + i, className: "hl hl-" + kind, title: KINDS[kind] },
          chars.slice(start, end).join("")
        )
      );
      pos = end;
    }
    if (pos < chars.length) children.push(chars.slice(pos).join(""));
    return React.createElement("span", { className: "passage-text" }, children);
  };
})();
