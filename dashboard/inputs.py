"""Checks for values that reach a callback from the browser (which may send anything).

Every helper returns a clean value or None / an empty result; none of them raises.
Filter values (people, months, sources, topics, search) are checked in url_state.py.
"""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import date
from typing import Any

MAX_ID_CHARS = 300  # a passage id, a topic id as text
INT_RE = re.compile(r"-?\d{1,9}")
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def first_point(click: Any) -> dict[str, Any]:
    """The first point of a Plotly clickData value, or {} when there is none."""
    if not isinstance(click, dict):
        return {}
    points = click.get("points")
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return {}
    return points[0]


def small_int(value: Any, allowed: Container[int] | None = None) -> int | None:
    """An int (or an int written as text / a whole float), in `allowed` when given.
    Booleans, NaN, infinities, huge numbers and anything else give None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        number = int(value)
    elif isinstance(value, str) and INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    if abs(number) >= 10**9:
        return None
    return number if allowed is None or number in allowed else None


def short_text(value: Any, max_chars: int = MAX_ID_CHARS) -> str | None:
    """`value` when it is a string of at most `max_chars` characters, else None."""
    return value if isinstance(value, str) and len(value) <= max_chars else None


def iso_month(value: Any, months: Container[date]) -> date | None:
    """The first day of the month of an ISO date string, when that month is in `months`."""
    text = short_text(value, 32)
    if text is None or not ISO_DATE_RE.match(text):
        return None
    try:
        month = date.fromisoformat(text[:10]).replace(day=1)
    except ValueError:
        return None
    return month if month in months else None
