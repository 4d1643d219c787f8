"""The Dash app over a published run (`DIR/current`, see docs/ARTIFACTS.md).

Where things are:

    data.py        DiscourseData: the one data-access layer (Polars); every query the app makes
    figures.py     pure functions: query results -> plotly figures (plain dicts)
    url_state.py   every filter lives in the URL query string: encode / decode / validate
    inputs.py      checks for the other values callbacks receive (clicks, ids, months)
    security.py    headers and CSP, body cap, route allow-list, callback-request check,
                   error handlers (see docs/RELIABILITY.md)
    layout/        the page, one module per part (header, filters, trends, people, topics,
                   passages + document drawer; ids.py names every component)
    callbacks.py   thin glue: URL/controls -> FILTERS store -> charts and the passage grid
    app.py         create_app(run_dir) -> dash.Dash
    server.py      serve(out_dir): waitress on 127.0.0.1 by default; Flask dev server with
                   --debug (loopback only)

Browser-side code lives in the repository's top-level assets/ folder.
"""
