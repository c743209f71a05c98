"""Demo data for `manage.py seed_demo`.

- `realistic`: about ten real communes around Donges with hand-written French
  content (`data/`, described by `items`, localised by `places`), created through
  Wagtail's normal API, with English versions made by wagtail-localize
  (`translations`).
- `scale`: N real communes × M generated pages (`text`), inserted in bulk for
  load tests.
- `communes`: which real communes each mode imports, through `communes_import`.
- `users`: the demo superuser and per-commune accounts (`cms.communes.roles`).
"""
