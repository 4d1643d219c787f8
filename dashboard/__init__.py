"""The Dash app over a published run (`DIR/current`, see docs/ARTIFACTS.md).

Where things are:

    data/          the one data layer (Polars): loading and checking a run through the
                   artifact contract, the indexes built once, one query module per view,
                   and DiscourseData, which binds them to a run
    figures/       pure functions: query results -> Plotly figures (plain dicts); each
                   clickable figure also decodes its clicks
    features/      one module per view (header, filters, trends, people, topics, passages,
                   document): each owns its layout and registers its own callbacks
    context.py     AppContext: what the views share (data, vocabulary, colours, routes)
    page.py        the page: the views put in place, plus the stores they share
    url_state.py   every filter lives in the URL query string: one table of fields from
                   which decoding, encoding, validation and the controls are derived
    ids.py         every component id
    inputs.py      checks for the other values callbacks receive (clicks, ids, months)
    downloads.py   the streamed passages CSV route
    security.py    headers and CSP, body cap, route allow-list, callback-request check,
                   error handlers (see docs/RELIABILITY.md)
    app.py         create_app(run_dir) -> dash.Dash
    server.py      serve(out_dir): waitress on 127.0.0.1 by default; Flask dev server with
                   --debug (loopback only)

Browser-side code lives in the repository's top-level assets/ folder.
"""
