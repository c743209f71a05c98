"""The content-kind registry: one entry per kind of item a commune publishes.

Each kind (news, event, alert, practical information, directory entry, and any a
project adds) declares in its model module everything the rest of the system needs:
its page model and section, how the API represents it, its dates in the read model,
its JSON-LD and ActivityPub types and both ActivityPub mappings, which of its fields
search reads, and its sharing label. Consumers iterate the
registry; `kinds_check` (a system check) refuses an incomplete kind.

Every free-text field of a kind's model is declared plain or HTML (`text_fields`,
cms/core/sanitise.py): plain text is escaped wherever it is rendered, HTML goes through
the one nh3 policy on the way in (`cms.content.inbound.page_text_sanitise`, for
everything that comes from outside) and on the way out. ActivityPub mappings get
already-typed, already-sanitised values: federation's wire module
(federation/activitypub/wire.py) parses every remote field as plain text or sanitised
HTML before `from_ap` sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.core.sanitise import HTML, PLAIN, TextType


@dataclass(frozen=True)
class ContentKind:
    name: str                       # API kind, change feed, sharing category: "news"
    model: type[Page]
    section: str                    # "app_label.Model" of the commune's index page
    label: Any                      # "actualité" (lazy translation)
    plural: Any                     # "actualités"
    api_path: str                   # /api/<api_path>: "news", "events"
    # The kind's own fields of the API representation (common ones are added around).
    api_fields: Callable[[Any], dict[str, Any]]
    # (start, end, severity) of the read model: sort date, "upcoming" bound, level.
    dates: Callable[[Any], tuple[dt.datetime | None, dt.datetime | None, int | None]]
    jsonld_type: str                # schema.org type
    ap_type: str                    # ActivityStreams type sent
    # The type-specific part of the AP object sent (common fields are added around).
    to_ap: Callable[[Any], dict[str, Any]]
    # Fill a page from a received object (name, provenance set around it).
    from_ap: Callable[[Any, Any], None]
    # Remote types stored as this kind (a Clocher peer also names the kind).
    ap_accepts: tuple[str, ...] = ()
    # Payload keys whose text is searchable as the body.
    search_text: tuple[str, ...] = ()
    # Payload keys shown in the detail only (long StreamFields and rich text).
    detail_only: frozenset[str] = frozenset()
    # A shorter plural for tight places (search facets, menus); the plural otherwise.
    short_label: Any = None
    # Where the kind comes in lists of kinds (menus, facets, the sharing form).
    position: int = 100
    # The order of its API list: read-model columns (start, severity, title), "-" for
    # descending; the item id breaks ties, in the direction of the last column.
    api_ordering: tuple[str, ...] = ("title",)
    # Named sets of extra filters its API list takes (cms/api/kind_filters.py: "dated",
    # "in_force"), and exact filters on a key of its representation: key → values.
    api_filters: tuple[str, ...] = ()
    api_choice_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The title and slug of its section in a new commune (default: the short plural).
    section_title: Any = None
    section_slug: str = ""
    # The RSS and Atom feed its items go into (/api/feeds/<commune>/<feed>.rss; kinds may
    # share one), and how an item reads there (FeedEntry); None: in no feed.
    feed: str | None = None
    feed_entry: Callable[[Any], FeedEntry] | None = None
    # Every free-text field of the model but the page's own (title, search description:
    # plain): "plain" or "html" (cms/core/sanitise.py). A StreamField is "html" when its
    # blocks hold rich text. The check refuses a kind that leaves one out.
    text_fields: dict[str, TextType] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def section_model(self) -> type[Page]:
        return apps.get_model(self.section)

    def section_name(self) -> str:
        """The section's title in a new commune: "Actualités", "Agenda"."""
        from django.utils.text import capfirst

        return str(capfirst(self.section_title or self.short_label or self.plural))

    def section_default_slug(self) -> str:
        from django.utils.text import slugify

        return self.section_slug or slugify(self.section_name())


@dataclass(frozen=True)
class FeedEntry:
    """An item as an RSS or Atom feed shows it (the link, author and dates are added).

    Title and description are plain text: the feed escapes the description, which RSS
    and Atom carry as HTML."""

    title: str
    description: str
    published: dt.datetime | None = None  # default: first publication
    categories: tuple[str, ...] = ()


# The read model's sort columns a kind may order its API list by (cms/api/models/items.py).
ORDERING_COLUMNS = {"start", "end", "severity", "title"}

_kinds: dict[str, ContentKind] = {}


def kind_register(kind: ContentKind) -> ContentKind:
    """Declare a kind (called by its model module, at import), and its section."""
    from cms.communes.sections import Section, section_register

    _kinds[kind.name] = kind
    _kind_labels.cache_clear()
    section_register(Section(model=kind.section, title=kind.section_name,
                             slug=kind.section_default_slug, order=(kind.position, kind.name)))
    return kind


def kinds() -> list[ContentKind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.position, kind.name))


def kind_named(name: str) -> ContentKind | None:
    return _kinds.get(name)


def kind_of_model(model: type) -> ContentKind | None:
    for kind in _kinds.values():
        if kind.model is model:
            return kind
    return None


def kind_of_page(page: Page) -> ContentKind | None:
    return kind_of_model(type(page)) or (
        kind_of_model(page.specific_class) if type(page) is Page else None)


def content_models() -> tuple[type[Page], ...]:
    return tuple(kind.model for kind in kinds())


def kind_for_ap(ap_type: str, clocher_kind: str | None = None) -> ContentKind | None:
    """The kind a received object is stored as: a Clocher peer names it, others are
    matched by their ActivityStreams type."""
    if clocher_kind and (kind := _kinds.get(clocher_kind)) and ap_type == kind.ap_type:
        return kind
    for kind in _kinds.values():
        if ap_type in kind.ap_accepts:
            return kind
    return None


def kind_choices() -> list[tuple[str, Any]]:
    return [(kind.name, kind.plural) for kind in kinds()]


def kind_labels() -> dict[str, str]:
    """Kind name → its short plural label, capitalised ("Actualités"), in the active
    language (computed once per language: every search's facets ask for them)."""
    from django.utils.translation import get_language

    return dict(_kind_labels(get_language() or ""))


@lru_cache(maxsize=16)
def _kind_labels(language: str) -> dict[str, str]:
    from django.utils.text import capfirst

    return {kind.name: str(capfirst(kind.short_label or kind.plural)) for kind in kinds()}


def free_text_fields(model: type[Page]) -> list[str]:
    """The model's own fields that hold free text (not a choice): what a kind declares."""
    from cms.content.models.base import CommuneContentPage

    inherited = {f.name for f in CommuneContentPage._meta.get_fields()}
    return [f.name for f in model._meta.get_fields()
            if f.name not in inherited and getattr(f, "concrete", False)
            and isinstance(f, models.CharField | models.TextField | StreamField)
            and not f.choices]


def _text_field_problems(kind: ContentKind) -> list[str]:
    problems = []
    undeclared = [name for name in free_text_fields(kind.model) if name not in kind.text_fields]
    if undeclared:
        problems.append(f"text_fields does not say whether {undeclared} are plain or HTML")
    known = {f.name for f in kind.model._meta.get_fields()}
    for name, text_type in kind.text_fields.items():
        if name not in known:
            problems.append(f"text_fields names {name!r}, not a field of its model")
        if text_type not in (PLAIN, HTML):
            problems.append(f"text_fields[{name!r}] is {text_type!r}, not plain or html")
    return problems


@checks.register()
def kinds_check(app_configs, **kwargs):
    """Refuse to start with an incomplete or ambiguous kind."""
    from cms.content.models.base import CommuneContentPage

    errors = []
    seen: dict[str, dict[str, str]] = {"api_path": {}, "model": {}}
    for kind in _kinds.values():
        problems = []
        if not issubclass(kind.model, CommuneContentPage):
            problems.append("its model is not a CommuneContentPage")
        try:
            section = kind.section_model()
        except LookupError:
            problems.append(f"its section {kind.section} is not a model")
        else:
            if kind.model not in section.allowed_subpage_models():
                problems.append(f"{section.__name__} does not take {kind.model.__name__}")
        for name in ("api_fields", "dates", "to_ap", "from_ap"):
            if not callable(getattr(kind, name)):
                problems.append(f"{name} is not callable")
        unknown = {column.lstrip("-") for column in kind.api_ordering} - ORDERING_COLUMNS
        if unknown or not kind.api_ordering:
            problems.append(f"its api_ordering names no read-model column: {sorted(unknown)}")
        if kind.feed_entry is not None and not callable(kind.feed_entry):
            problems.append("feed_entry is not callable")
        problems += _text_field_problems(kind)
        if not (kind.jsonld_type and kind.ap_type and kind.api_path):
            problems.append("it needs a JSON-LD type, an ActivityPub type and an API path")
        for key, value in (("api_path", kind.api_path), ("model", kind.model.__name__)):
            if value in seen[key]:
                problems.append(f"its {key} {value!r} is {seen[key][value]}'s too")
            seen[key][value] = kind.name
        errors += [checks.Error(f"content kind {kind.name!r}: {problem}",
                                id="content.E001") for problem in problems]
    return errors
