""""Said vs named" tab: for the person chosen in the filters (the first of Said by, else
the first of People), their statements (attributed speech) versus their mentions (being
named) per month, under the other filters. The one view that counts statements and
mentions rather than passages, and it says so."""

from __future__ import annotations

from dash import Dash, Input, Output, dcc, html

from dashboard import figures, ids
from dashboard.context import AppContext
from dashboard.features.chart import chart

TAB, TAB_LABEL = "said", "Said vs named"
NO_STATEMENTS = {
    "missing": "This run has no statements: it was built before speakers were extracted. "
               "Rebuild it to compare what people said with how often they are named.",
    "none": "No statement in this run is attributed to a registered person.",
}
WHAT = ("A statement is words attributed to the person (a speaker turn in a transcript, a "
        "quotation or reported speech); a mention is the person being named, including in "
        "“Musk said”. This chart counts statements and mentions themselves, not passages, "
        "in the passages under the other filters (months, sources, topics, search).")


def layout(ctx: AppContext) -> html.Div:  # noqa: ARG001 - same signature as every view
    return html.Div(className="tab-body", children=[
        html.P(id=ids.SAID_NOTE, className="note", children=WHAT),
        chart("Line chart: one person's statements and mentions per month", dcc.Graph(
            id=ids.SAID_GRAPH, figure=figures.empty_figure("Loading…", hint=""),
            config=figures.png_config("discourse-said-vs-named"), className="graph"),
            described_by=ids.SAID_NOTE),
    ])


def chosen_person(said_by: tuple[str, ...], people: tuple[str, ...]) -> tuple[str | None, str]:
    """The person the chart is for, and how they were chosen (in words)."""
    if said_by:
        more = " (the first of the Said by filter)" if len(said_by) > 1 else ""
        return said_by[0], f"{said_by[0]}{more}"
    if people:
        more = " (the first of the People filter)" if len(people) > 1 else ""
        return people[0], f"{people[0]}{more}"
    return None, ""


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    @app.callback(Output(ids.SAID_GRAPH, "figure"), Output(ids.SAID_NOTE, "children"),
                  Input(ids.FILTERS, "data"), prevent_initial_call=True)
    def update_said(store):
        state, f = ctx.current_on_tab(store, TAB)  # a hidden tab computes when it is opened
        status = data.statements_status()
        if status != "ready":
            return figures.empty_figure("No statements in this run", hint=""), \
                NO_STATEMENTS[status]
        person, how = chosen_person(state.said_by, state.people)
        if person is None:
            return (figures.empty_figure("Choose a person", hint="Pick someone in Said by or "
                                         "People (in the filters) to see their statements "
                                         "and mentions per month."), WHAT)
        counts = data.said_and_named(f, person)
        total_s, total_m = int(counts["statements"].sum()), int(counts["mentions"].sum())
        note = (f"{how}: {total_s:,} statement{'s' * (total_s != 1)} and {total_m:,} "
                f"mention{'s' * (total_m != 1)} in the months shown. {WHAT}")
        return figures.said_named_figure(counts, person), note
