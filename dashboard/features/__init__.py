"""One module per view. Each owns its layout and registers its own callbacks:

    layout(ctx: AppContext) -> component     register(app: Dash, ctx: AppContext) -> None

Tab views also name their tab: TAB (the URL value of `tab=`) and TAB_LABEL.

    header.py    title, corpus summary, which corpus and run (no callbacks)
    filters.py   the filters panel and the one URL <-> controls <-> FILTERS callback
    trends.py    trend chart tab, trend CSV, selecting a point
    people.py    people x topics tab; a cell click filters the page
    said.py      "Said vs named" tab: one person's statements vs mentions per month
    topics.py    topic explorer tab
    rises.py     "What rose" tab: changes beyond chance in one month
    network.py   "Who appears with whom" tab: the co-mention network
    compare.py   Compare tab: two people side by side
    passages.py  the drill-down grid and its CSV link
    document.py  the document drawer
    review.py    review mode: theme corrections in the document drawer (--review only)
    point.py     the POINT store shared by the trend chart, the grid and the CSV link
    chart.py     a chart's accessible name (a <figure> with aria-label around a dcc.Graph)

To add a view: write its module with `layout` and `register`, then list it below (and, for
a tab, add its value to the `tab` row of dashboard/url_state.py).
"""

from dashboard.features import (
    compare, document, filters, header, network, passages, people, review, rises, said,
    topics, trends,
)

TAB_VIEWS = (trends, rises, people, said, network, compare, topics)  # in tab order
VIEWS = (header, filters, *TAB_VIEWS, passages, document, review)  # every view, each registered once
