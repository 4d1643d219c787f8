"""The document drawer: a whole document, opened from a grid row (or a link: the open
passage is part of the URL state, `passage=<id>`), passage by passage with topics and
mentions marked, and each statement (attributed speech) highlighted per speaker: a
colour and an underline style per speaker, and the speaker's name written before the
statement, so colour is never the only cue. Built from html.Span / html.Mark components,
which Dash renders as text (corpus text is never parsed as HTML)."""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, html, no_update

from dashboard import ids
from dashboard.context import AppContext
from dashboard.data import DocumentView
from dashboard.figures import OUTLIER_COLOR
from dashboard.inputs import short_text

MARK_KINDS = ("match", "person", "search")
SAID_STYLES = 6  # .said-0 .. .said-5 in assets/style.css; speakers past six reuse them
KIND_NAMES = {"turn": "speaker turn", "quote": "quotation", "reported": "reported speech"}


def layout(ctx: AppContext) -> dmc.Drawer:  # noqa: ARG001 - same signature as every view
    return dmc.Drawer(id=ids.DOC_DRAWER, opened=False, position="right", size="52%",
                      padding="lg", title="Document", children=html.Div(id=ids.DOC_BODY),
                      className="doc-drawer",
                      closeButtonProps={"aria-label": "Close the document"})


def marked_text(text: str, marks: list[list[Any]]) -> list:
    """Text split into plain strings and html.Mark pieces (never parsed as HTML)."""
    out: list = []
    pos = 0
    for m in marks:
        start, end, kind = int(m[0]), int(m[1]), str(m[2])
        if start < pos or end <= start or end > len(text) or kind not in MARK_KINDS:
            continue
        if start > pos:
            out.append(text[pos:start])
        title = m[3] if len(m) > 3 and m[3] else "search match"
        out.append(html.Mark(text[start:end], className=f"hl hl-{kind}", title=title))
        pos = end
    if pos < len(text):
        out.append(text[pos:])
    return out


def speaker_styles(doc: DocumentView) -> dict[str, int]:
    """Each registered speaker of the document -> its style number, in reading order."""
    order: dict[str, int] = {}
    for seg in doc.segments:
        for st in seg.get("statements", []):
            if st[2] and st[2] not in order:
                order[st[2]] = len(order) % SAID_STYLES
    return order


def said_label(statement: list[Any]) -> str:
    """Who a statement is by: the registered name, or the speaker as written."""
    return statement[2] or f"{statement[3] or 'unknown speaker'} (not a registered person)"


def said_title(statements: list[list[Any]]) -> str:
    return "; ".join(f"Statement by {said_label(st)} ({KIND_NAMES.get(st[4], st[4])}"
                     f"{f', cue “{st[5]}”' if st[5] else ''})" for st in statements)


def _marks_within(marks: list[list[Any]], a: int, b: int) -> list[list[Any]]:
    """The marks overlapping [a, b), clipped to it and relative to `a`."""
    return [[max(int(m[0]), a) - a, min(int(m[1]), b) - a, *m[2:]] for m in marks
            if int(m[0]) < b and int(m[1]) > a]


def said_text(text: str, marks: list[list[Any]], statements: list[list[Any]],
              styles: dict[str, int], chosen: tuple[str, ...] = ()) -> list:
    """`marked_text`, with each statement wrapped in a span of its speaker's style that
    starts with the speaker's name (statements of `chosen` speakers stand out more)."""
    spans = [st for st in statements if 0 <= int(st[0]) < int(st[1]) <= len(text)]
    if not spans:
        return marked_text(text, marks)
    cuts = sorted({0, len(text), *(int(st[0]) for st in spans), *(int(st[1]) for st in spans)})
    out: list = []
    for a, b in zip(cuts, cuts[1:]):
        piece = marked_text(text[a:b], _marks_within(marks, a, b))
        active = [st for st in spans if int(st[0]) <= a and int(st[1]) >= b]
        if not active:
            out.extend(piece)
            continue
        style = f"said-{styles[active[0][2]]}" if active[0][2] in styles else "said-other"
        tags = [html.Span(f"{said_label(st)}:", className="said-tag") for st in active
                if int(st[0]) == a]
        chosen_class = " said-chosen" if any(st[2] in chosen for st in active) else ""
        out.append(html.Span([*tags, *piece], className=f"said {style}{chosen_class}",
                             title=said_title(active)))
    return out


def said_legend(styles: dict[str, int], unregistered: bool) -> html.Div | None:
    """Who speaks in the document, each in their statement style."""
    if not styles and not unregistered:
        return None
    chips = [html.Span(name, className=f"said said-{k} said-chip") for name, k in styles.items()]
    if unregistered:
        chips.append(html.Span("not a registered person", className="said said-other said-chip"))
    return html.Div(className="said-legend", children=[
        html.Span("Statements by:", className="said-legend-title"), *chips,
        html.Span("Each statement starts with its speaker's name.", className="note")])


ORIGIN_NAMES = {"label": "labelled", "model": "model"}


def theme_chips(passage_id: str, carried: dict[str, str], names: dict[str, str],
                review: list[str] | None, reviewed: bool = False) -> html.Div:
    """The passage's themes (origin in the tooltip); in review mode `review` is what it
    carries now (`reviewed`: after a correction), each theme with confirm / remove
    buttons, and a select to add one."""
    shown = review if review is not None else sorted(carried)
    chips = []
    for key in shown:
        origin = "reviewed" if reviewed else ORIGIN_NAMES.get(carried.get(key, ""), "model")
        chip = [html.Span(names.get(key, key))]
        if review is not None:
            chip += [html.Button("✓", id={"type": ids.REVIEW_ACTION, "pid": passage_id,
                                           "theme": key, "action": "confirm"},
                                 className="chip-btn", title=f"Confirm {names.get(key, key)}",
                                 **{"aria-label": f"Confirm {names.get(key, key)}"}),
                     html.Button("✕", id={"type": ids.REVIEW_ACTION, "pid": passage_id,
                                           "theme": key, "action": "remove"},
                                 className="chip-btn", title=f"Remove {names.get(key, key)}",
                                 **{"aria-label": f"Remove {names.get(key, key)}"})]
        chips.append(html.Span(chip, className=f"theme-chip origin-{origin}",
                               title=f"{names.get(key, key)} ({origin})"))
    if not chips:
        chips.append(html.Span("no named theme", className="no-theme"))
    if review is not None:
        options = [{"value": k, "label": v} for k, v in names.items() if k not in shown]
        chips.append(dmc.Select(id={"type": ids.REVIEW_ADD, "pid": passage_id}, data=options,
                                placeholder="Add a theme…", size="xs", clearable=False,
                                className="review-add", value=None,
                                **{"aria-label": "Add a theme to this passage"}))
    return html.Div(chips, className="doc-themes")


def render_document(doc: DocumentView, focus_passage: str | None,
                    colors: dict[int, str], names: dict[str, str] | None = None,
                    review: dict[str, list[str]] | None = None,
                    reviewed: frozenset[str] = frozenset(),
                    chosen: tuple[str, ...] = ()) -> html.Div:
    """The whole document, passage by passage, with topics, themes, mentions and
    statements marked. `review` (review mode): passage_id -> the themes it carries now;
    `reviewed`: the passages corrected so far; `chosen`: the Said-by filter's speakers."""
    meta = [f"{doc.date:%d %B %Y}", doc.source or "", doc.author or ""]
    styles = speaker_styles(doc)
    body = []
    for seg in doc.segments:
        if seg["kind"] == "gap":
            body.append(html.P(seg["text"], className="doc-gap"))
            continue
        color = colors.get(seg["topic_id"], OUTLIER_COLOR)
        focus = seg["passage_id"] == focus_passage
        body.append(html.Div(
            className="doc-passage" + (" focus" if focus else ""),
            style={"borderLeftColor": color},
            children=[
                html.Div(className="doc-topic", children=[
                    html.Span(className="dot", style={"background": color}),
                    seg["topic"], html.Span(f" · {seg['passage_id']}", className="pid"),
                ]),
                theme_chips(seg["passage_id"], seg.get("themes", {}), names or {},
                            None if review is None else review.get(seg["passage_id"]),
                            seg["passage_id"] in reviewed),
                html.P(said_text(seg["text"], seg["marks"], seg.get("statements", []), styles,
                                 chosen), className="doc-text"),
            ],
        ))
    link = (html.A("Open the original ↗", href=doc.url, target="_blank",
                   rel="noopener noreferrer nofollow", className="doc-link")
            if doc.url and doc.url.lower().startswith(("http://", "https://")) else None)
    return html.Div(className="document", children=[
        html.H3(doc.title, className="doc-title"),
        html.Div(" · ".join(x for x in meta if x), className="doc-meta"),
        link,
        said_legend(styles, any(not st[2] for seg in doc.segments
                                for st in seg.get("statements", []))),
        html.Div(body, className="doc-body"),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    data = ctx.data

    # Two callbacks, not one with two inputs: the grid is mounted after the first chart,
    # and a callback is not run while one of its inputs is missing from the page.
    @app.callback(Output(ids.DOC_OPEN, "data", allow_duplicate=True),
                  Input(ids.GRID, "cellClicked"), prevent_initial_call=True)
    def open_clicked_row(cell):
        """The open passage is a URL control: a row click opens its document."""
        passage_id = short_text(cell.get("rowId")) if isinstance(cell, dict) else None
        return passage_id or no_update

    @app.callback(Output(ids.DOC_OPEN, "data"), Input(ids.DOC_DRAWER, "opened"),
                  prevent_initial_call=True)
    def close_document(opened):
        """Closing the drawer clears the open passage."""
        return no_update if opened else ""

    @app.callback(Output(ids.DOC_DRAWER, "opened"), Output(ids.DOC_DRAWER, "title"),
                  Output(ids.DOC_BODY, "children"), Input(ids.FILTERS, "data"),
                  State(ids.DOC_DRAWER, "opened"), prevent_initial_call=True)
    def open_document(store, opened):
        """The document of the state's passage, with the filters' marks (None: closed)."""
        state, f = ctx.current(store)
        doc_id = data.doc_id_of(state.passage) if state.passage else None
        doc = data.document(doc_id, f) if doc_id else None
        if doc is None:
            return (False if opened else no_update), no_update, no_update
        return True, f"Document {doc.doc_id}", document_body(ctx, doc, state.passage,
                                                             f.speakers)


def theme_names(ctx: AppContext) -> dict[str, str]:
    """theme key -> its label, in themes.toml order."""
    return {k: v.get("label") or k for k, v in ctx.data.index.loaded.themes.items()}


def document_body(ctx: AppContext, doc: DocumentView, focus: str | None,
                  chosen: tuple[str, ...] = ()) -> html.Div:
    """The drawer's content for `doc` (with review controls in review mode); `chosen`:
    the speakers of the Said-by filter, whose statements stand out."""
    review = None
    if ctx.review is not None:
        review = {s["passage_id"]: ctx.review.themes_of(s["passage_id"])
                  for s in doc.segments if s["kind"] == "passage"}
    reviewed = frozenset(ctx.review.corrected()) if ctx.review is not None else frozenset()
    body = render_document(doc, focus, ctx.colors, theme_names(ctx), review, reviewed, chosen)
    if ctx.review is None:
        return body
    return html.Div([html.Div(id=ids.REVIEW_STATUS, role="status", className="review-status",
                              children="Review mode: confirm, remove or add a passage's themes; "
                                       "corrections train the next build."), body])
