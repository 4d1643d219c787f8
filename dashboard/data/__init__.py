"""The dashboard's one data layer, over one published run (docs/ARTIFACTS.md).

    run.py       loading and checking a run (tables through pipelines/artifacts.py),
                 manifest summary, theme descriptions, events
    index.py     the indexes built once per run (sorted passages, row ranges, people)
    filters.py   Filters (what the user narrowed to) and Vocabulary (allowed values)
    rows.py      which rows pass the people / search filters; search.py: the word index
    trends.py    passages per month and topic, share of the month, events
    people.py    the people x topics matrix
    rises.py     what rose or fell in a month, beyond chance (dashboard/analysis/rises.py)
    network.py   who is named with whom (dashboard/analysis/comention.py)
    compare.py   two people, sources or years side by side (analysis/distinctive.py)
    review.py    review mode: a passage's themes now, recording corrections
    topics.py    topic details and the topics charts show
    passages.py  the drill-down list with highlight marks, one document
    grid.py      the grid's pages: the whole result sorted by any column, block by block
    export.py    CSV-ready frames and the formula-guarded CSV writer
    queries.py   DiscourseData: the loaded run with every query, memoised where hot
"""

from dashboard.data.export import EXPORT_LIMIT, csv_text
from dashboard.data.filters import Filters, Vocabulary
from dashboard.data.grid import SORT_COLUMNS, GridQuestion, GridSort
from dashboard.data.index import UNKNOWN_SOURCE, RunIndex
from dashboard.data.passages import PASSAGE_COLUMNS, DocumentView, PassageList
from dashboard.data.queries import DiscourseData
from dashboard.data.run import CorpusSummary, RunNotFoundError
from dashboard.data.topics import TopicDetails

__all__ = ["EXPORT_LIMIT", "PASSAGE_COLUMNS", "SORT_COLUMNS", "UNKNOWN_SOURCE", "CorpusSummary",
           "DiscourseData", "DocumentView", "Filters", "GridQuestion", "GridSort", "PassageList", "RunIndex",
           "RunNotFoundError", "TopicDetails", "Vocabulary", "csv_text"]
