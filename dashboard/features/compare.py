"""Compare tab: two people, sources or years side by side under the other filters: their
theme mix, the words that most distinguish them and the people most often named with
each."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.context import AppContext
from dashboard.figures import empty_figure, png_config
from dashboard.data import csv_text
from dashboard.exports import export_filename, export_header
from dashboard.data.compare import comparison_rows, side_kind
from dashboard.figures.compare import compare_trend_figure, theme_mix_figure
from dashboard.features.chart import chart
from dashboard.features.filters import people_data

TAB, TAB_LABEL = "compare", "Compare"
NOTE = ("Choose two sides: people, sources or years. Shares are of each side's passages under the other filters "
        "(a passage counts under every theme it carries). Distinctive words: log-odds ratio "
        "with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008); z above 1.96 "
        "is beyond chance for that word. The line chart puts both sides on one axis: each "
        "side's share of every month's passages (two years over the months of one year).")


def layout(ctx: AppContext) -> html.Div:
    return html.Div(className="tab-body", children=[
        html.Div(className="rise-head", children=[
            dmc.MultiSelect(id=ids.COMPARE_PEOPLE, label="Two sides", data=side_data(ctx),
                            maxValues=2, searchable=True, clearable=True, value=[], w=420,
                            placeholder="Two people, sources or years"),
            html.P(NOTE, className="note rise-method"),
            dmc.Button("Download CSV", id=ids.COMPARE_CSV_BUTTON, variant="light", size="sm"),
            dcc.Download(id=ids.COMPARE_CSV),
        ]),
        html.Div(id=ids.COMPARE_BODY),
        html.Div(id=ids.COMPARE_WORDS, role="status"),
    ])


def side_data(ctx: AppContext) -> list[dict]:
    years = sorted({str(m.year) for m in ctx.data.months})
    return [{"group": "Years", "items": [{"value": y, "label": y} for y in years]},
            {"group": "Sources", "items": [{"value": s, "label": s} for s in ctx.data.sources]},
            {"group": "People", "items": people_data(ctx)}]


def word_list(words, side: str, name: str) -> html.Div:  # noqa: ANN001 - a Polars frame
    rows = words.filter(words["side"] == side)
    return html.Div(className="compare-col", children=[
        html.H3(f"Words of {name}", className="subhead"),
        html.Ol([html.Li(f"{r['word']} · z {r['z']:.1f} ({r['count_a']} vs {r['count_b']})")
                 for r in rows.iter_rows(named=True)] or [html.Li("none stands out")]),
    ])


def sample_note(result, sides: tuple[str, str]) -> str:  # noqa: ANN001 - SideWords
    """Says which side's words come from a sample of its passages (empty if none)."""
    sampled = [f"{n:,} of {name}'s {total:,}" for name, n, total in
               zip(sides, result.word_passages, result.passages) if n < total]
    return (f"Words counted in an evenly spaced sample of {' and '.join(sampled)} passages."
            if sampled else "")


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.COMPARE_BODY, "children"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_compare(store):
        state, f = ctx.current_on_tab(store, TAB)
        if len(state.compare) < 2:
            return html.P("Choose two sides above to compare them.", className="note")
        a, b = state.compare
        result = data.compare(f, a, b)
        company = [html.Div(className="compare-col", children=[
            html.H3(f"Named with {name}", className="subhead"),
            html.Ol([html.Li(f"{r['person']} ({r['passages']})") for r in
                     result.company.filter(result.company["side"] == side).iter_rows(named=True)]
                    or [html.Li("nobody")])]) for side, name in (("a", a), ("b", b))]
        years = all(side_kind(data.index, side) == "year" for side in (a, b))
        return [
            html.P(f"{a}: {result.passages[0]:,} passages · {b}: {result.passages[1]:,} passages",
                   className="note", id=ids.COMPARE_NOTE),
            chart(f"Line chart: share of each month's passages, {a} and {b}", dcc.Graph(
                figure=compare_trend_figure(result.trend, (a, b), by_month_of_year=years),
                config=png_config("discourse-compare-trend"), className="graph")),
            chart(f"Bar chart: theme mix of {a} and {b}", dcc.Graph(
                figure=theme_mix_figure(result.mix, (a, b)) if min(result.passages)
                else empty_figure("One side has no passages under these filters",
                                  height=260, hint=""),
                config=png_config("discourse-compare"), className="graph")),
            html.Div(className="compare-cols", children=company),
        ]

    @app.callback(Output(ids.COMPARE_WORDS, "children"), Input(ids.FILTERS, "data"),
                  prevent_initial_call=True)
    def update_words(store):
        state, f = ctx.current_on_tab(store, TAB)
        if len(state.compare) < 2:
            return None
        a, b = state.compare
        words = data.compare_words(f, a, b)
        return [html.Div(className="compare-cols", children=[
                    word_list(words.words, "a", a), word_list(words.words, "b", b)]),
                html.P(sample_note(words, (a, b)), className="note")]

    @app.callback(Output(ids.COMPARE_CSV, "data"), Input(ids.COMPARE_CSV_BUTTON, "n_clicks"),
                  State(ids.FILTERS, "data"), prevent_initial_call=True)
    def download_comparison(_n, store):
        state, f = ctx.current(store)
        if len(state.compare) < 2:
            raise PreventUpdate
        a, b = state.compare
        rows = comparison_rows(data.compare(f, a, b), data.compare_words(f, a, b))
        header = export_header("two sides compared: theme shares, distinctive words, "
                               "people named, monthly share", data.manifest, state,
                               {"compare": f"{a} vs {b}"})
        return {"content": header + csv_text(rows), "type": "text/csv",
                "filename": export_filename("compare", ctx.run_id, state, a, "vs", b)}
