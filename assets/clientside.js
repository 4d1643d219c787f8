/* Client-side callbacks (dash looks them up as window.dash_clientside.<namespace>.<name>).
 *
 * refreshGrid: the passage grid uses AG Grid's infinite row model, which caches the blocks
 * of rows it was sent. When the filters or the clicked point change (gridKey, written by
 * the URL sync), empty that cache so the grid asks the server again (from the first page,
 * under its current sort). When a chart point was chosen, scroll its passages into view.
 *
 * afterFirstChart: the grid is mounted once the page's first chart has a trace on screen
 * (or after FIRST_CHART_WAIT_MS when the open tab draws none), so that it does not slow
 * the first chart down: the mount store is set to true once, then never again.
 */
(function () {
  "use strict";
  var waitingForChart = false;  // afterFirstChart has started watching for the chart
  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.discourse = Object.assign({}, window.dash_clientside.discourse, {
    refreshGrid: function (gridKey, gridId) {
      var grids = window.dash_ag_grid;
      var purge = function (api) {
        if (api && !api.isDestroyed()) api.purgeInfiniteCache();
      };
      if (/#\d{4}-\d{2}:/.test(String(gridKey))) {  // a chart point: show its passages
        var head = document.querySelector(".passages .passages-head");  // the chart stays in view
        if (head) head.scrollIntoView({ behavior: "smooth", block: "nearest" });
      }
      if (!document.getElementById(gridId)) return Date.now();  // not mounted: it asks fresh
      if (!grids) return window.dash_clientside.no_update;
      if (typeof grids.getApiAsync === "function") {
        grids.getApiAsync(gridId).then(purge, function () {});
      } else {
        try { purge(grids.getApi(gridId)); } catch (e) { /* not mounted yet */ }
      }
      return Date.now();
    },
    afterFirstChart: function (gridKey, mounted, mountId) {
      // Returns at once (Dash holds back other callbacks' outputs while a clientside
      // promise is pending) and sets the store itself once the chart is drawn.
      if (mounted || waitingForChart) return window.dash_clientside.no_update;
      waitingForChart = true;
      var FIRST_CHART_WAIT_MS = 2500, POLL_MS = 40, started = Date.now();
      var poll = function () {
        var drawn = document.querySelector(".tabs .js-plotly-plot .trace") !== null;
        if (drawn || Date.now() - started > FIRST_CHART_WAIT_MS) {
          requestAnimationFrame(function () { setTimeout(function () {
            window.dash_clientside.set_props(mountId, { data: true });
          }, 0); });
        } else {
          setTimeout(poll, POLL_MS);
        }
      };
      poll();
      return window.dash_clientside.no_update;
    },
  });
})();

/* shownLines: after a legend click on the trend chart, the topic ids of the lines now
 * drawn (the URL keeps them as `line=`). Other restyles (hover, autoscale) change nothing.
 */
(function () {
  "use strict";
  window.dash_clientside.discourse.shownLines = function (restyle, graphId) {
    var noUpdate = window.dash_clientside.no_update;
    if (!Array.isArray(restyle) || !restyle[0] || !("visible" in restyle[0])) return noUpdate;
    var gd = document.querySelector("#" + graphId + " .js-plotly-plot");
    if (!gd || !Array.isArray(gd.data)) return noUpdate;
    var shown = [];
    gd.data.forEach(function (trace) {
      var meta = trace.meta || {};
      if (meta.topic_id !== undefined && trace.visible !== "legendonly" && trace.visible !== false) {
        shown.push(String(meta.topic_id));
      }
    });
    return shown;
  };
})();

/* settle: the month slider's value once it has stopped changing for SETTLE_MS (arrow keys
 * held down or dragged send one update after the last step, not one per step).
 */
(function () {
  "use strict";
  var SETTLE_MS = 400;
  var turn = 0;
  window.dash_clientside.discourse.settle = function (value) {
    var mine = ++turn;
    return new Promise(function (resolve) {
      setTimeout(function () {
        resolve(mine === turn ? value : window.dash_clientside.no_update);
      }, SETTLE_MS);
    });
  };
})();
