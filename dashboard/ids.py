"""Component ids, shared by the layout, the callbacks and the browser tests."""

URL = "url"
FILTERS = "filters-store"  # the validated UrlState as a dict
POINT = "point-store"  # {"month": "YYYY-MM", "topic": token} of a clicked trend point (URL control)
DOC_OPEN = "document-open"  # the passage whose document is open ("" = none; URL control)
TREND_LINES = "trend-lines"  # topic tokens of the lines the user shows on the chart (URL control)
NOTICES = "notices"

PEOPLE = "filter-people"
SAID_BY = "filter-said-by"  # passages with statements by these people (Said by)
MONTHS = "filter-months"
MONTHS_LABEL = "filter-months-label"
MONTHS_SETTLED = "filter-months-settled"  # the slider's value once the user stops moving it
SOURCES = "filter-sources"
TOPICS = "filter-topics"
SEARCH = "filter-search"
RESET = "filter-reset"

TABS = "tabs"
MEASURE = "trend-measure"
CHART = "trend-chart"
EVENTS = "trend-events"
TREND_GRAPH = "trend-graph"
TREND_NOTE = "trend-note"
TREND_CSV_BUTTON = "trend-csv-button"
TREND_CSV = "trend-csv-download"

HEATMAP = "people-heatmap"

SAID_GRAPH = "said-graph"  # one person's statements vs mentions per month
SAID_NOTE = "said-note"

TOPIC_SIZES = "topic-sizes"
TOPIC_SELECT = "topic-select"
TOPIC_DETAILS = "topic-details"

COPY_LINK = "copy-link"
RISE_MONTH = "rise-month"
TREND_SHOWN = "trend-shown"  # the filters store the trend chart was drawn for
RISE_GRAPH = "rise-graph"
RISE_TABLE = "rise-table"
RISE_NOTE = "rise-note"

NETWORK_GRAPH = "network-graph"
NETWORK_NOTE = "network-note"
NETWORK_PAIR = "network-pair"
NETWORK_PASSAGES = "network-passages"
NETWORK_PAIR_NOTE = "network-pair-note"

COMPARE_PEOPLE = "compare-people"
COMPARE_BODY = "compare-body"
COMPARE_NOTE = "compare-note"
COMPARE_WORDS = "compare-words"
COMPARE_CSV_BUTTON = "compare-csv-button"
COMPARE_CSV = "compare-csv-download"

GRID = "passage-grid"
GRID_TITLE = "passage-title"
GRID_COUNT = "passage-count"
GRID_KEY = "passage-grid-key"  # the filters + point the grid lists (changes when they do)
GRID_REFRESH = "passage-grid-refresh"  # written when the grid's block cache was emptied
GRID_SLOT = "passage-grid-slot"  # holds the grid once it is mounted (after the first chart)
GRID_MOUNT = "passage-grid-mount"  # True once the page's first chart is drawn
CLEAR_POINT = "passage-clear-point"
PASSAGES_CSV_LINK = "passage-csv-link"  # <a download>: its href is the streamed CSV route

DOC_DRAWER = "document-drawer"
DOC_BODY = "document-body"

REVIEW_STATUS = "review-status"  # review mode: what the last correction did
REVIEW_ACTION = "review-action"  # pattern-matching: {"type", "pid", "theme", "action"}
REVIEW_ADD = "review-add"  # pattern-matching: {"type", "pid"}, a select of themes to add
