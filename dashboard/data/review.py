"""Review mode's data: which themes a passage carries now (the run's, or its latest
correction) and recording a correction (pipelines/corrections.py). The run's tables are
never modified; corrections go to `<out>/labels/corrections.jsonl`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.data.passages import carried_themes
from dashboard.data.queries import DiscourseData
from dashboard.data.topics import rows_by_passage_id
from pipelines import corrections as review


@dataclass
class ReviewDesk:
    """Corrections of one served run, kept in `path`."""

    data: DiscourseData
    path: Path
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: tuple[tuple[int, int], dict[str, list[str]]] | None = None

    @property
    def themes(self) -> list[str]:
        """The theme keys a correction may name (the run's themes.toml order)."""
        return list(self.data.index.loaded.themes)

    @property
    def run_id(self) -> str:
        return str(self.data.manifest.get("run_id") or self.data.run_dir.name)

    def corrected(self) -> dict[str, list[str]]:
        """passage_id -> themes after its latest correction (re-read when the file changes)."""
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            return {}
        with self._lock:
            if self._cache is None or self._cache[0] != stamp:
                last = review.latest(review.read_corrections(self.path))
                self._cache = (stamp, dict(zip(last["passage_id"].to_list(),
                                               last["themes"].to_list())))
            return self._cache[1]

    def passage(self, passage_id: object) -> dict | None:
        """passage_id, doc_id, text of a passage of the run, or None."""
        if not isinstance(passage_id, str) or not 0 < len(passage_id) <= review.MAX_ID_CHARS:
            return None
        rows = rows_by_passage_id(self.data.index, [passage_id])
        if not len(rows):
            return None
        return self.data.index.p[int(rows[0])].select("passage_id", "doc_id", "text").row(
            0, named=True)

    def themes_of(self, passage_id: str) -> list[str]:
        """What the passage carries now: its latest correction, else the run's themes."""
        corrected = self.corrected()
        if passage_id in corrected:
            return corrected[passage_id]
        return sorted(carried_themes(self.data.index, [passage_id]).get(passage_id, {}))

    def record(self, passage_id: object, action: object, theme: object) -> dict:
        """Validate and append one correction; returns it. Raises CorrectionError (nothing
        is written) for an unknown passage or theme, or an action that does not apply."""
        passage = self.passage(passage_id)
        current = self.themes_of(passage["passage_id"]) if passage else []
        row = review.make_correction(passage, current, action, theme, self.themes, self.run_id)
        with self._lock:
            review.append_correction(self.path, row)
        return row

