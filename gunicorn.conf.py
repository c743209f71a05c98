"""Gunicorn settings: the Procfile names them (`--config gunicorn.conf.py`), and gunicorn
reads them from its working directory anyway (the benchmarks start it from the
repository root); the command line still overrides them.

Each worker freezes its long-lived objects for Python's cyclic garbage collector
(issue 6): a full collection walks every tracked object, and the ~240,000 that Django,
Wagtail and the project leave once loaded (modules, classes, settings, compiled
templates: never garbage) made it take ~50 ms, in about 1 render out of 100 of the
resident site. Frozen, they are out of the collector's sight for good; what requests
allocate is still collected as before (thresholds unchanged).
"""

import gc
import threading


def post_worker_init(worker) -> None:
    gc_freeze()
    worker.log.info("Garbage collector: %d objects frozen", gc.get_freeze_count())
    # Search's word vectors (when installed) load beside the first requests, not in one.
    threading.Thread(target=_search_warm, args=(worker,), daemon=True).start()


def _search_warm(worker) -> None:
    from search.expansion import expansion_warm

    try:
        expansion_warm()
    except Exception:  # noqa: BLE001 - a cold start only makes the first search slower
        worker.log.exception("search: the word vectors did not load at start-up")


def post_request(worker, req, environ, resp) -> None:
    # Once more after the first request (sent by now): what it built lazily (URL
    # resolvers, templates, translation catalogues, content types) lives as long.
    if worker.nr == 1:
        gc_freeze()


def gc_freeze() -> None:
    """Collect what is garbage now, then freeze every object left."""
    gc.collect()
    gc.freeze()
