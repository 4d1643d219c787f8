"""`AppContext`: what every view needs of the app, handed to each feature explicitly
(never set as attributes on the Dash app): the data layer, the values filters may take,
topic colours, the download route, and how to read the FILTERS store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dash.exceptions import PreventUpdate

from dashboard.data import DiscourseData, Filters, Vocabulary
from dashboard.data.review import ReviewDesk
from dashboard.figures import topic_colors
from dashboard.url_state import UrlState, state_from_dict, to_filters

MAX_DISCOVERED_DEFAULT = 6  # discovered topics charted when no topic filter is set


@dataclass(frozen=True)
class AppContext:
    data: DiscourseData
    vocab: Vocabulary
    colors: dict[int, str]  # topic id -> colour, stable across views
    csv_route: str  # the passages CSV route under the app's requests prefix
    topic_ids: frozenset[int]
    month_set: frozenset[date]
    review: ReviewDesk | None = None  # review mode only

    @classmethod
    def create(cls, data: DiscourseData, csv_route: str,
               review: ReviewDesk | None = None) -> "AppContext":
        topics = data.topic_list()
        return cls(data=data, vocab=data.vocabulary(), colors=topic_colors(topics),
                   csv_route=csv_route, topic_ids=frozenset(topics["topic_id"].to_list()),
                   month_set=frozenset(data.months), review=review)

    def current(self, store: Any) -> tuple[UrlState, Filters]:
        """The validated page state in the FILTERS store, and its data-layer filters."""
        state = state_from_dict(store, self.vocab)
        return state, to_filters(state, self.vocab)

    @property
    def run_id(self) -> str:
        return str(self.data.manifest.get("run_id", ""))

    def topic_ids_of(self, tokens: tuple[str, ...]) -> tuple[int, ...]:
        """The topic ids of URL topic tokens (theme keys, topic ids as text)."""
        return tuple(i for t in tokens for i in self.vocab.topic_tokens.get(t, ()))

    def current_on_tab(self, store: Any, tab: str) -> tuple[UrlState, Filters]:
        """`current`, for a view that computes only while its tab is open (every filter
        change reaches it): PreventUpdate when another tab is shown."""
        state, f = self.current(store)
        if state.tab != tab:
            raise PreventUpdate
        return state, f

    @staticmethod
    def max_discovered(f: Filters) -> int | None:
        """Discovered topics a chart shows besides the named themes: all chosen topics
        when the topic filter is set, else the largest few."""
        return None if f.topics else MAX_DISCOVERED_DEFAULT
