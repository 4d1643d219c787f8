"""The clicked trend point: a month and a topic, part of the URL state (`point_month`,
`point_topic`). The trend chart writes it through the POINT store (its control); the grid,
its heading, the CSV link and the chart's selection mark read it from the state. A point
belongs to the filters it was clicked under: it is dropped as soon as they change."""

from __future__ import annotations

from datetime import date
from typing import Any

from dashboard.context import AppContext
from dashboard.url_fields import month_key, month_of
from dashboard.url_state import UrlState, filter_key


def point_value(ctx: AppContext, topic_id: int, month: date) -> dict[str, Any]:
    """The POINT store's value for a click on `topic_id` in `month`."""
    return {"month": month_key(month), "topic": ctx.data.topic_token(topic_id)}


def read_point(ctx: AppContext, state: UrlState) -> tuple[date | None, int | None]:
    """(month, topic id) of the state's point, or (None, None) when there is none."""
    if not state.point_month or not state.point_topic:
        return None, None
    topics = ctx.vocab.topic_tokens.get(state.point_topic, ())
    month = month_of(state.point_month)
    return (month, topics[0]) if month and len(topics) == 1 else (None, None)


def grid_key(state: UrlState) -> str:
    """What the passage grid lists depends on only this: the filters and the point."""
    return filter_key(state) + f"#{state.point_month}:{state.point_topic}"
