"""What an exported file says about itself: its name (the run and the filters) and the
header block of `#` lines at the top of every CSV, which records the run, the filters,
the chart point, the view options, the address that shows the same view and how counts
are counted. Readers skip it with `polars.read_csv(path, comment_prefix="#")` or
`pandas.read_csv(path, comment="#")`.

    discourse-trends-20261204T161658Z-abcdd8-person-elon-musk_topic-pause-letter.csv
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from dashboard.url_state import UrlState, encode, filter_key

MAX_SLUG_CHARS = 90
COUNTS_NOTE = ("passages (paragraphs); a passage counts once for each person it names and "
               "once under each named theme it carries")
READ_NOTE = 'polars.read_csv(path, comment_prefix="#") or pandas.read_csv(path, comment="#")'
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def slug(text: str) -> str:
    """Lower-case letters and digits joined by dashes ("Elon Musk" -> "elon-musk")."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def _pairs(state: UrlState) -> list[tuple[str, str]]:
    """The filters' and the chart point's (key, value) pairs, in the address's order."""
    pairs = parse_qsl(filter_key(state).removeprefix("?"))
    if state.point_month and state.point_topic:
        pairs += [("point_month", state.point_month), ("point_topic", state.point_topic)]
    return pairs


def export_filename(kind: str, run_id: str, state: UrlState, *extra: str) -> str:
    """discourse-<kind>-<run>-<filters>.csv; "all" when nothing narrows the corpus."""
    parts = [slug(p) for p in extra] + [f"{slug(k)}-{slug(v)}" for k, v in _pairs(state)]
    described = "_".join(p for p in parts if p) or "all"
    if len(described) > MAX_SLUG_CHARS:
        described = described[:MAX_SLUG_CHARS].rstrip("-_") + "-etc"
    return f"discourse-{slug(kind)}-{slug(run_id) or 'run'}-{described}.csv"


def _line(text: Any) -> str:
    return _CONTROL.sub(" ", str(text)).strip()


def export_header(title: str, manifest: dict[str, Any], state: UrlState,
                  view: dict[str, Any] | None = None) -> str:
    """The `#` lines that open an export of `state` from the run of `manifest`."""
    corpus = manifest.get("corpus")
    corpus = ", ".join(map(str, corpus)) if isinstance(corpus, list) else corpus
    filters = "; ".join(f"{k} = {v}" for k, v in parse_qsl(filter_key(state).removeprefix("?")))
    lines = [
        f"AI-regulation discourse dashboard: {title}",
        f"run: {manifest.get('run_id', 'unknown')} (corpus {corpus or 'unknown'}, built "
        f"{manifest.get('finished_at', 'unknown')}"
        f"{', illustrative briefs' if manifest.get('illustrative') else ''})",
        f"filters: {filters or 'none (the whole corpus)'}",
    ]
    if state.point_month and state.point_topic:
        lines.append(f"chart point: {state.point_topic} in {state.point_month}")
    if view:
        lines.append("view: " + "; ".join(f"{k} = {v}" for k, v in view.items()))
    lines += [f"address: {encode(state) or '/'}", f"counts: {COUNTS_NOTE}",
              f"read with: {READ_NOTE}"]
    return "".join(f"# {_line(line)}\n" for line in lines)


def strip_header(text: str) -> str:
    """The CSV under an export's header block."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[start:])
