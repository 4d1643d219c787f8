"""Review mode (`discourse serve --review`, off by default): in the document drawer a
researcher confirms, removes or adds a theme on a passage. Each correction is validated and
appended to `<out>/labels/corrections.jsonl` (dashboard/data/review.py); the next build
trains with it. The same corrections can be posted as JSON to REVIEW_ROUTE; an unknown
passage or theme gets a 400 with a message and nothing is written."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, no_update
from dash import ctx as dash_ctx
from flask import Response, jsonify, request

from dashboard import ids
from dashboard.context import AppContext
from dashboard.features.document import document_body
from pipelines.corrections import CorrectionError

REVIEW_ROUTE = "review/corrections"  # POST {"passage_id", "theme", "action"}


def correction_request(body: object) -> tuple[object, object, object]:
    """(passage_id, action, theme) of a posted correction (validated by the desk)."""
    if not isinstance(body, dict):
        raise CorrectionError("the request body must be a JSON object")
    return body.get("passage_id"), body.get("action"), body.get("theme")


def register(app: Dash, ctx: AppContext) -> None:
    desk = ctx.review
    if desk is None:
        return

    def post_correction() -> tuple[Response, int]:
        try:
            row = desk.record(*correction_request(request.get_json(silent=True)))
        except CorrectionError as err:
            return jsonify(error=str(err)), 400
        return jsonify(passage_id=row["passage_id"], themes=row["themes"]), 200

    app.server.add_url_rule(app.config.routes_pathname_prefix + REVIEW_ROUTE,
                            endpoint="review_corrections", view_func=post_correction,
                            methods=["POST"], provide_automatic_options=False)

    @app.callback(Output(ids.DOC_BODY, "children", allow_duplicate=True),
                  Input({"type": ids.REVIEW_ACTION, "pid": ALL, "theme": ALL, "action": ALL},
                        "n_clicks"),
                  Input({"type": ids.REVIEW_ADD, "pid": ALL}, "value"),
                  State(ids.FILTERS, "data"), prevent_initial_call=True)
    def correct(clicks, added, store):
        trigger = dash_ctx.triggered_id
        if not isinstance(trigger, dict) or not dash_ctx.triggered[0].get("value"):
            return no_update  # a control was (re)rendered, not used
        if trigger.get("type") == ids.REVIEW_ADD:
            action, theme = "add", dash_ctx.triggered[0]["value"]
        else:
            action, theme = trigger.get("action"), trigger.get("theme")
        try:
            row = desk.record(trigger.get("pid"), action, theme)
        except CorrectionError as err:
            return _body(ctx, trigger.get("pid"), store, f"Not saved: {err}.")
        verb = {"confirm": "Confirmed", "remove": "Removed", "add": "Added"}[action]
        return _body(ctx, row["passage_id"], store,
                     f"{verb} “{theme}” on passage {row['passage_id']}: saved for the next build.")


def _body(ctx: AppContext, passage_id: object, store: object, message: str):
    passage = ctx.review.passage(passage_id) if ctx.review else None
    doc = ctx.data.document(passage["doc_id"], ctx.current(store)[1]) if passage else None
    if doc is None:
        return no_update
    body = document_body(ctx, doc, passage["passage_id"])
    body.children[0].children = message
    return body
