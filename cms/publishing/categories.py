"""The outbox categories every content change writes (docs/architecture.md).

Consumers register them (search/, federation/, frontend/, cms/api); checks.py refuses
to start when one is missing.
"""

SEARCH = "search"
ACTIVITYPUB = "activitypub"
PAGE_CACHE = "pagecache"
# Written with each change-feed event (cms/readmodel/changes.changes_record).
CHANGE_FEED = "changes"
PIPELINE_CATEGORIES = (SEARCH, ACTIVITYPUB, PAGE_CACHE, CHANGE_FEED)
# Written by the pipeline for the changes that concern it only: one row per commune
# whose open-data files must be rebuilt (events, directory, practical information) and
# one (object 0) for the platform's export and catalogue (cms/api/opendata).
OPEN_DATA = "opendata"
PIPELINE_SOME_CATEGORIES = (OPEN_DATA,)
