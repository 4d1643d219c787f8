"""Every id a callback names is on the page, or in the passage grid that is mounted after
the first chart (the app runs with suppress_callback_exceptions, so Dash does not check)."""

from __future__ import annotations

from typing import Any

from dashboard import ids
from dashboard.app import build_app
from dashboard.features import passages
from dashboard.page import page


def layout_ids(component: Any) -> set[str]:
    """The string ids of a component and everything under it."""
    found = set()
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if not hasattr(node, "to_plotly_json"):
            continue
        if isinstance(getattr(node, "id", None), str):
            found.add(node.id)
        for value in node.to_plotly_json()["props"].values():
            if hasattr(value, "to_plotly_json") or isinstance(value, (list, tuple)):
                stack.append(value)
    return found


def callback_ids(app) -> set[str]:
    """The string ids of every callback's outputs, inputs and states."""
    named = set()
    for key, spec in app.callback_map.items():
        outputs = key.strip(".").split("...") if key.startswith("..") else [key]
        named.update(o.rsplit(".", 1)[0] for o in outputs)
        for dep in spec["inputs"] + spec["state"]:
            if isinstance(dep["id"], str):
                named.add(dep["id"])
    return named


def test_every_callback_id_is_on_the_page_or_in_the_mounted_grid(fixture_run, events_csv):
    app, ctx = build_app(fixture_run, events_path=events_csv)
    on_page = layout_ids(page(ctx))
    mounted_later = layout_ids(passages.grid())
    missing = callback_ids(app) - on_page - mounted_later
    assert not missing, f"callbacks name ids that are nowhere: {sorted(missing)}"
    assert ids.GRID in mounted_later and ids.GRID not in on_page  # mounted after the chart
    assert {ids.GRID_SLOT, ids.GRID_MOUNT, ids.TREND_GRAPH} <= on_page


def test_the_check_sees_a_missing_id(fixture_run, events_csv):
    app, ctx = build_app(fixture_run, events_path=events_csv)
    on_page = layout_ids(page(ctx))
    assert ids.GRID in callback_ids(app) and ids.GRID not in on_page
    assert layout_ids(passages.grid()) == {ids.GRID}
