"""The scale demo: M generated pages in each of N real communes, inserted in bulk.

Why not Wagtail's API: `add_child()` + `save_revision().publish()` costs some thirty
queries per page (treebeard reads and updates the parent, full_clean, revision, log
entry, signals, search and reference indexing): hours for 200,000 pages. Here a
chunk of 5,000 pages costs a few multi-row INSERTs.

How the tree stays valid. Wagtail pages are a treebeard materialised-path tree:
a page's `path` is its parent's path plus its position among its siblings, in base
36 (alphabet 0-9A-Z) on 4 characters (steplen 4); `depth` counts the steps and
`numchild` the direct children. New pages take the positions after the section's
last child, and each section's `numchild` grows in the same transaction as its
new children, so after every committed chunk `Page.find_problems()` and
`manage.py fixtree` find nothing. `url_path` is the parent's plus the slug, as
Wagtail's own `set_url_path()` computes it.

What this path skips, on purpose: signals, revisions (`latest_revision` stays
empty; the first edit in the admin creates one), log entries, the search index
(the search issue's reindex command fills it) and Wagtail's reference index.
Do not run it while editors add pages to the same communes: two writers would
pick the same positions, and the unique index on `path` would roll the chunk back.
"""

import datetime as dt
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page

from cms.communes.models import CommuneHomePage

from ..bulk import pages_insert
from ..models import (
    AlertIndexPage,
    AlertPage,
    DirectoryEntryPage,
    DirectoryIndexPage,
    EventIndexPage,
    EventPage,
    InfoIndexPage,
    InfoPage,
    NewsIndexPage,
    NewsPage,
)
from ..taxonomy import categories_ensure
from . import text
from .places import phone

CHUNK_SIZE = 5_000
# Share of each content type in a commune's pages: mostly news and events.
MIX: list[tuple[type[Page], type[Page], float]] = [
    (NewsPage, NewsIndexPage, 0.35),
    (EventPage, EventIndexPage, 0.30),
    (DirectoryEntryPage, DirectoryIndexPage, 0.15),
    (InfoPage, InfoIndexPage, 0.10),
    (AlertPage, AlertIndexPage, 0.10),
]
MAX_CHILDREN = 36**4 - 1  # positions a treebeard step of 4 base-36 characters can hold
CATEGORIES = {
    NewsPage: ["culture", "travaux", "enfance-jeunesse", "environnement", "vie-associative",
               "solidarite", "patrimoine", "economie-locale"],
    EventPage: ["culture", "sport", "fete", "marche", "nature-randonnee", "vie-associative"],
    DirectoryEntryPage: ["vie-associative", "economie-locale", "sport", "culture", "sante"],
    InfoPage: ["dechets", "transports", "sante", "enfance-jeunesse"],
    AlertPage: ["travaux", "environnement", "transports", "sante"],
}


@dataclass(kw_only=True)
class ScaleReport:
    communes: int = 0
    created: int = 0
    by_type: Counter = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass(kw_only=True)
class _Section:
    page: Page
    next_position: int
    slugs: set[str]


def allocate(total: int) -> list[int]:
    """Split `total` pages over MIX's types, by largest remainder (the sum is exact)."""
    shares = [total * weight for _model, _index, weight in MIX]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(MIX)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def scale_content_seed(
    *, communes: Sequence[CommuneHomePage], pages_per_commune: int,
    now: dt.datetime | None = None, seed: str = "clocher-scale", chunk_size: int = CHUNK_SIZE,
    progress: Callable[[str], None] | None = None,
) -> ScaleReport:
    """Bring each commune to `pages_per_commune` content pages, generated and bulk-inserted.

    Idempotent: a commune that already has that many content pages (whatever made
    them) gets none; one that has fewer gets the difference. Deterministic: the same
    seed, commune and position give the same page.
    """
    started = time.monotonic()
    now = now or timezone.now()
    report = ScaleReport(communes=len(communes))
    generator = _Generator(seed=seed, now=now, categories=categories_ensure())
    chunk: list[tuple[_Section, Page, list[int]]] = []
    for number, commune in enumerate(communes, start=1):
        sections = _sections(commune)
        missing = pages_per_commune - sum(s.page.numchild for s in sections.values())
        if missing > 0:
            for (model, index_model, _weight), count in zip(MIX, allocate(missing), strict=True):
                section = sections[index_model]
                if section.next_position + count - 1 > MAX_CHILDREN:
                    raise ValueError(f"{commune.title}: a section holds at most "
                                     f"{MAX_CHILDREN} pages.")
                for _ in range(count):
                    chunk.append(generator.page(model=model, commune=commune, section=section))
                    if len(chunk) >= chunk_size:
                        _insert_chunk(chunk, report)
                        chunk = []
        if progress and (number % 10 == 0 or number == len(communes)):
            elapsed = time.monotonic() - started
            progress(f"  {number}/{len(communes)} communes, "
                     f"{report.created + len(chunk):,} pages generated, "
                     f"{report.created:,} inserted ({elapsed:.0f} s)")
    _insert_chunk(chunk, report)
    report.seconds = time.monotonic() - started
    return report


def _sections(commune: CommuneHomePage) -> dict[type[Page], _Section]:
    sections = {}
    for page in commune.get_children().specific():
        last = (
            Page.objects.filter(path__startswith=page.path, depth=page.depth + 1)
            .order_by("-path").values_list("path", flat=True).first()
        )
        sections[type(page)] = _Section(
            page=page,
            # treebeard's own base-36 codec, so positions read as it writes them.
            next_position=Page._str2int(last[-Page.steplen:]) + 1 if last else 1,
            slugs=set(page.get_children().values_list("slug", flat=True)),
        )
    return sections


def _insert_chunk(chunk: list[tuple[_Section, Page, list[int]]], report: ScaleReport) -> None:
    if not chunk:
        return
    database = router.db_for_write(Page)
    pages = [page for _section, page, _categories in chunk]
    with transaction.atomic(using=database):
        pages_insert(pages, database=database)
        for page in pages:
            report.by_type[type(page).__name__] += 1
        _categories_insert(chunk, database=database)
        added = Counter(section.page.pk for section, _page, _categories in chunk)
        for section_id, count in added.items():
            Page.objects.using(database).filter(pk=section_id).update(
                numchild=F("numchild") + count
            )
    for section, _page, _categories in chunk:
        section.page.numchild += 1
    report.created += len(chunk)


def _categories_insert(chunk, *, database: str) -> None:
    rows_by_model: dict[type[Page], list] = {}
    for _section, page, category_ids in chunk:
        through = type(page).categories.through
        owner = type(page).categories.field.m2m_field_name()
        rows = rows_by_model.setdefault(type(page), [])
        rows.extend(through(**{f"{owner}_id": page.pk, "category_id": category_id})
                    for category_id in category_ids)
    for model, rows in rows_by_model.items():
        model.categories.through.objects.using(database).bulk_create(rows, batch_size=2_000)


class _Generator:
    """Build unsaved page instances with their tree position and generated text."""

    def __init__(self, *, seed: str, now: dt.datetime, categories: dict) -> None:
        self.seed = seed
        self.now = now
        self.category_ids = {slug: category.pk for slug, category in categories.items()}
        self.content_types = {
            model: ContentType.objects.get_for_model(model).pk for model, _index, _w in MIX
        }

    def page(self, *, model: type[Page], commune: CommuneHomePage,
             section: _Section) -> tuple[_Section, Page, list[int]]:
        position = section.next_position
        section.next_position += 1
        rng = random.Random(f"{self.seed}:{commune.insee_code}:{model.__name__}:{position}")
        page, published = getattr(self, f"_{model.__name__}")(rng, commune)
        slug = f"{slugify(page.title)[:60].rstrip('-')}-{position}"
        while slug in section.slugs:
            slug += "-bis"
        section.slugs.add(slug)
        parent = section.page
        page.slug = slug
        page.draft_title = page.title
        page.path = Page._get_path(parent.path, parent.depth + 1, position)
        page.depth = parent.depth + 1
        page.numchild = 0
        page.url_path = f"{parent.url_path}{slug}/"
        page.locale_id = parent.locale_id
        page.content_type_id = self.content_types[model]
        page.translation_key = uuid.UUID(int=rng.getrandbits(128), version=4)
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = min(published, self.now)
        slugs = CATEGORIES[model]
        categories = rng.sample(slugs, k=rng.choice((0, 1, 1, 2)))
        return section, page, [self.category_ids[slug] for slug in categories]

    # One builder per type: (unsaved page, publication time).

    def _NewsPage(self, rng: random.Random, commune: CommuneHomePage):
        published = self.now - dt.timedelta(days=rng.uniform(0, 730))
        page = NewsPage(
            title=text.news_title(rng), date=timezone.localdate(published),
            lead=text.paragraph(rng), body=self._body(rng),
        )
        return page, published

    def _EventPage(self, rng: random.Random, commune: CommuneHomePage):
        # A year of past events and six months ahead, at round local hours.
        day = timezone.localdate(self.now) + dt.timedelta(days=rng.randint(-365, 180))
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 21))))
        title, organiser = text.event_title(rng)
        is_free = rng.random() < 0.5
        latitude, longitude = self._near(rng, commune)
        page = EventPage(
            title=title, start=start, end=start + dt.timedelta(hours=rng.choice((1, 2, 3, 4))),
            summary=text.sentence(rng), body=self._body(rng),
            venue_name=rng.choice(("Salle polyvalente", "Salle des fêtes", "Église",
                                   "Complexe sportif", "Médiathèque", "Place de la Mairie")),
            address=f"{text.street_address(rng)}, {self._postcode(commune)} {commune.title}",
            latitude=latitude, longitude=longitude, organiser=organiser, is_free=is_free,
            price="" if is_free else f"{rng.randint(2, 15)} €",
            accessibility=rng.choice(("", "Salle accessible en fauteuil roulant.",
                                      "Accès de plain-pied ; boucle magnétique.")),
        )
        return page, start - dt.timedelta(days=rng.randint(7, 45))

    def _AlertPage(self, rng: random.Random, commune: CommuneHomePage):
        title, severity = text.alert_title(rng)
        # Most alerts are over; about one in twenty is in force now.
        if rng.random() < 0.05:
            valid_from = self.now - dt.timedelta(hours=rng.uniform(1, 48))
            valid_until = self.now + dt.timedelta(hours=rng.uniform(2, 72))
        else:
            valid_from = self.now - dt.timedelta(days=rng.uniform(3, 730))
            valid_until = valid_from + dt.timedelta(hours=rng.uniform(2, 72))
        page = AlertPage(title=title, severity=severity, valid_from=valid_from,
                         valid_until=valid_until, message=f"<p>{text.paragraph(rng)}</p>")
        return page, valid_from

    def _InfoPage(self, rng: random.Random, commune: CommuneHomePage):
        title, topic = text.info_title(rng)
        page = InfoPage(title=title, topic=topic, summary=text.sentence(rng),
                        opening_hours=self._hours(rng) if rng.random() < 0.5 else [],
                        body=self._body(rng))
        return page, self.now - dt.timedelta(days=rng.uniform(0, 1000))

    def _DirectoryEntryPage(self, rng: random.Random, commune: CommuneHomePage):
        draw = rng.random()
        latitude, longitude = self._near(rng, commune)
        extra = {}
        if draw < 0.4:
            organiser = rng.choice(text.ORGANISERS)[0]
            title, kind = f"{organiser} de {commune.title}", "association"
        elif draw < 0.7:
            title, kind = f"{rng.choice(text.SHOPS)} {rng.choice(text.SURNAMES)}", "shop"
            extra["opening_hours"] = self._hours(rng)
        elif draw < 0.9:
            name, products = rng.choice(text.PRODUCERS)
            title, kind = f"{name} {rng.choice(text.SURNAMES)}", "producer"
            extra["products"] = [self._block(rng, "product", {
                "name": product, "months": [str(month) for month in months]})
                for product, months in products]
            extra["market_days"] = [self._block(rng, "market", {
                "place": f"Marché de {commune.title}", "day": rng.choice(text.WEEKDAYS),
                "opens": "08:00:00", "closes": "12:30:00"})]
            extra["pickup_points"] = [self._block(rng, "pickup_point", {
                "name": "À la ferme", "address": text.street_address(rng), "schedule":
                "vendredi 16 h – 19 h", "latitude": latitude, "longitude": longitude})]
        else:
            title, kind = rng.choice(text.PUBLIC_SERVICES), "public_service"
            extra["opening_hours"] = self._hours(rng)
        page = DirectoryEntryPage(
            title=title, kind=kind, description=f"<p>{text.paragraph(rng)}</p>",
            address=f"{text.street_address(rng)}, {self._postcode(commune)} {commune.title}",
            latitude=latitude, longitude=longitude, phone=phone(rng), **extra,
        )
        return page, self.now - dt.timedelta(days=rng.uniform(0, 1000))

    # Helpers

    def _body(self, rng: random.Random) -> list[dict]:
        return [self._block(rng, "paragraph", f"<p>{text.paragraph(rng)}</p>")
                for _ in range(rng.randint(1, 3))]

    def _hours(self, rng: random.Random) -> list[dict]:
        days = text.WEEKDAYS[:5] if rng.random() < 0.5 else text.WEEKDAYS[1:6]
        return [self._block(rng, "slot", {"day": day, "opens": "09:00:00", "closes": "12:00:00"})
                for day in days]

    @staticmethod
    def _block(rng: random.Random, block_type: str, value) -> dict:
        return {"type": block_type, "value": value,
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}

    @staticmethod
    def _near(rng: random.Random, commune: CommuneHomePage):
        if not commune.has_position:
            return None, None
        return (round(commune.latitude + rng.uniform(-0.02, 0.02), 6),
                round(commune.longitude + rng.uniform(-0.03, 0.03), 6))

    @staticmethod
    def _postcode(commune: CommuneHomePage) -> str:
        return (commune.postcodes or [""])[0]

