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
