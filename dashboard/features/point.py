"""The POINT store: the trend point a user clicked (month and topic), tied to the
filters it was clicked under. The trend chart writes it; the grid and the CSV link
read it. A point is dropped as soon as the filters change."""

from __future__ import annotations

from datetime import date
from typing import Any

from dashboard.context import AppContext
from dashboard.inputs import iso_month, small_int
from dashboard.url_state import UrlState, filter_key


def point_value(state: UrlState, topic_id: int, month: date) -> dict[str, Any]:
    """The store's value for a point clicked under `state`."""
    return {"month": month.isoformat(), "topic_id": topic_id, "key": filter_key(state)}


def read_point(ctx: AppContext, point: Any, state: UrlState
               ) -> tuple[date | None, int | None]:
    """(month, topic) of the store when it belongs to the current filters, else (None, None)."""
    if not isinstance(point, dict) or point.get("key") != filter_key(state):
        return None, None
    month = iso_month(point.get("month"), ctx.month_set)
    topic_id = small_int(point.get("topic_id"), ctx.topic_ids)
    return (month, topic_id) if month is not None and topic_id is not None else (None, None)
