""""What rose" tab: for one month (default: the latest full month), the themes and topics
whose passages rose or fell beyond chance against the six months before, under the
people, source and search filters: rate ratios with intervals (click one to see its
passages that month) and a table with the counts, q-values, a sparkline and a link."""

from __future__ import annotations

from datetime import date

import dash_mantine_components as dmc
import polars as pl
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashboard import figures, ids
from dashboard.context import AppContext
from dashboard.features.chart import chart
from dashboard.data.rises import BASELINE_MONTHS, MIN_COUNT
from dashboard.url_fields import month_key, month_of
from dashboard.url_state import encode, sanitize, with_topic_month

TAB, TAB_LABEL = "rises", "What rose"
SPARKS = "▁▂▃▄▅▆▇█"
METHOD_NOTE = (f"Each theme or topic's share of the month's passages against its share over "
               f"the {BASELINE_MONTHS} months before: an exact conditional test of two Poisson "
               f"rates (mid-p), Benjamini-Hochberg across every topic tested (q ≤ 0.05 is "
               f"“beyond chance”), topics with fewer than {MIN_COUNT} passages in the "
               "window not tested. Intervals are 95%.")


def layout(ctx: AppContext) -> html.Div:
    months = [{"value": month_key(m), "label": f"{m:%B %Y}"} for m in reversed(ctx.data.months)]
    default = ctx.data.default_rise_month()
    return html.Div(className="tab-body", children=[
        html.Div(className="rise-head", children=[
            dmc.Select(id=ids.RISE_MONTH, label="Month", data=months, value=None,
                       placeholder=f"Latest full month ({default:%B %Y})" if default else
                       "Latest full month", searchable=True, clearable=True, w=260),
            html.P(METHOD_NOTE, className="note rise-method"),
        ]),
        html.P(id=ids.RISE_NOTE, className="note", role="status"),
        chart("Rate ratios, with 95% intervals, of the themes and topics tested in the month",
              dcc.Graph(id=ids.RISE_GRAPH, figure=figures.empty_figure("Loading…", hint=""),
                        config=figures.png_config("discourse-what-rose"), className="graph"),
              described_by=ids.RISE_NOTE),
        html.Div(id=ids.RISE_TABLE),
    ])


def sparkline(values: list[int]) -> str:
    top = max(values) if values else 0
    return "".join(SPARKS[round(v / top * (len(SPARKS) - 1))] if top else SPARKS[0]
                   for v in values)


def rise_rows(table: pl.DataFrame, link_of) -> html.Table:  # noqa: ANN001 - token -> href
    """The tested topics as a table (text only: labels are rendered as text)."""
    head = html.Tr([html.Th(h) for h in ("Theme or topic", "This month", "6 months before",
                                         "Rate ratio (95% CI)", "q", "Months")]
                   + [html.Th(html.Span("Link", className="sr-only"))])
    body = []
    for r in figures.shown_rise_rows(table).iter_rows(named=True):
        verdict = {"rise": "▲ rose", "fall": "▼ fell"}.get(r["direction"], "")
        body.append(html.Tr(className=f"rise-{r['direction']}", children=[
            html.Td([r["label"], html.Span(f" {verdict}", className="verdict") if verdict else None]),
            html.Td(f"{r['count']:,} of {r['exposure']:,}"),
            html.Td(f"{r['baseline_count']:,} of {r['baseline_exposure']:,}"),
            html.Td(f"{r['rate_ratio']:.2f} ({r['ci_low']:.2f}–{r['ci_high']:.2f})"),
            html.Td(f"{r['q_value']:.3f}"),
            html.Td(sparkline(r["monthly"] or []), className="spark",
                    title=" · ".join(str(v) for v in r["monthly"] or [])),
            html.Td(html.A("passages", href=link_of(r["topic_id"]))),
        ]))
    return html.Table([html.Thead(head), html.Tbody(body)], className="rise-table")


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    def chosen_month(state) -> date | None:  # noqa: ANN001 - a UrlState
        return month_of(state.rise_month) if state.rise_month else data.default_rise_month()

    @app.callback(Output(ids.RISE_GRAPH, "figure"), Output(ids.RISE_TABLE, "children"),
                  Output(ids.RISE_NOTE, "children"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_rises(store):
        state, f = ctx.current_on_tab(store, TAB)
        month = chosen_month(state)
        if month is None:
            return figures.empty_figure("No full month in this corpus", hint=""), None, ""
        table = data.rise_table(f, month)
        label = f"{month:%B %Y}"

        def link_of(topic_id: int) -> str:
            clicked, _ = sanitize(with_topic_month(state, data.topic_token(topic_id),
                                                   month_key(month)), ctx.vocab)
            return encode(clicked) or "?"
        found = table.filter(pl.col("significant"))
        note = (f"{label}: {found.height} of {int(table['tested'].sum())} tested themes and topics "
                "changed beyond chance." if table["tested"].any() else
                f"{label}: too few passages to test.")
        return figures.rise_figure(table, label), rise_rows(table, link_of), note

    @app.callback(Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.RISE_GRAPH, "clickData"), State(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def open_topic_month(click, store):
        topic_id = figures.clicked_rise(click, ctx.topic_ids)
        state, _ = ctx.current(store)
        month = chosen_month(state)
        if topic_id is None or month is None:
            return no_update
        clicked, _ = sanitize(with_topic_month(state, data.topic_token(topic_id),
                                               month_key(month)), ctx.vocab)
        return encode(clicked)
