"""The realistic demo: hand-written French content for real communes around Donges.

Pages are made the way an editor makes them (add_child, save_revision, publish), so
they have revisions, log entries and search and reference index entries.

Idempotent: a page whose slug already exists in its section is kept as it is, never
overwritten (an editor may have changed it since); only missing pages and
translations are added. Dates are relative to the run that created the page, so a
demo loaded long ago has aged: seed a fresh database to get fresh dates.
"""

import datetime as dt
import random
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from wagtail.models import Locale, Page

from cms.communes.models import CommuneHomePage, PortalPage

from ..models import (
    AlertIndexPage,
    AlertPage,
    Category,
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
from . import streams
from .data import alerts, directory, events, infos, news
from .items import AlertItem, DirectoryItem, EventItem, InfoItem, NewsItem
from .places import Local, fill, local_for, phone, point_near
from .translations import page_translate

SECTION_TITLES_EN = {
    NewsIndexPage: "News",
    EventIndexPage: "Events",
    AlertIndexPage: "Alerts",
    InfoIndexPage: "Practical information",
    DirectoryIndexPage: "Directory",
}
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

Item = NewsItem | EventItem | AlertItem | InfoItem | DirectoryItem


@dataclass(kw_only=True)
class DemoReport:
    communes: list[CommuneHomePage] = field(default_factory=list)
    created: int = 0
    kept: int = 0
    translated: int = 0


@dataclass(frozen=True, kw_only=True)
class _Context:
    commune: CommuneHomePage
    local: Local
    now: dt.datetime
    categories: dict[str, Category]
    seed: str

    def rng(self, key: str) -> random.Random:
        # One generator per page: a page's values do not depend on which pages exist.
        return random.Random(f"{self.seed}:{self.commune.insee_code}:{key}")

    def categories_for(self, slugs: Sequence[str]) -> list[Category]:
        return [self.categories[slug] for slug in slugs]


def demo_content_seed(
    *, communes: Sequence[CommuneHomePage], user, now: dt.datetime | None = None,
    seed: str = "clocher-demo",
) -> DemoReport:
    """Give each commune its demo pages, each commune in its own transaction.

    The first commune is the showcase: all the headline events, the urgent alert,
    and English versions (through wagtail-localize) of the pages that have one.
    """
    now = now or timezone.now()
    categories = categories_ensure()
    english = Locale.objects.filter(language_code="en").first()
    report = DemoReport(communes=list(communes))
    for position, commune in enumerate(communes):
        context = _Context(commune=commune, local=local_for(commune), now=now,
                           categories=categories, seed=seed)
        with transaction.atomic():
            _commune_intro_ensure(commune=commune, local=context.local, user=user)
            sections = {page.specific_class: page.specific for page in commune.get_children()}
            for section_model, build, item in _plan(position):
                section = sections[section_model]
                page = build(item, context)
                existing = section.get_children().filter(slug=page.slug).first()
                if existing is None:
                    _publish(parent=section, page=page, user=user)
                    report.created += 1
                else:
                    page = existing.specific
                    report.kept += 1
                if english and item.en and position == 0:
                    report.translated += _translate(
                        page=page, section=section, locale=english, user=user,
                        english=build(replace(item, **item.en), context),
                    )
    return report


def _plan(position: int) -> list[tuple[type[Page], Callable[[Any, _Context], Page], Item]]:
    """What a commune gets: a rotation through the demo text, so neighbours differ."""

    def turn(items: Sequence, count: int) -> list:
        return [items[(position * count + offset) % len(items)] for offset in range(count)]

    showcase = position == 0
    plan: list = []
    plan += [(NewsIndexPage, _news_page, item) for item in turn(news.NEWS, 4)]
    upcoming = events.UPCOMING[:5] if showcase else turn(events.UPCOMING, 3)
    plan += [(EventIndexPage, _event_page, item) for item in
             [events.COUNCIL, events.PAST_COUNCIL, *upcoming, *turn(events.PAST, 1)]]
    commune_alerts = ([alerts.WATER_CUT, alerts.STORM_WARNING, alerts.EXPIRED] if showcase
                      else [alerts.OTHERS[(position - 1) % len(alerts.OTHERS)]])
    plan += [(AlertIndexPage, _alert_page, item) for item in commune_alerts]
    plan += [(InfoIndexPage, _info_page, item) for item in infos.INFOS]
    entries = [*turn(directory.ASSOCIATIONS, 2), *turn(directory.SHOPS, 1),
               *turn(directory.PUBLIC_SERVICES, 1)]
    plan += [(DirectoryIndexPage, _directory_page, item) for item in entries]
    # Two producers per commune, on two different farms (lieux-dits).
    plan += [(DirectoryIndexPage, _producer_page(farm), item)
             for farm, item in enumerate(turn(directory.PRODUCERS, 2))]
    return plan


# Pages ---------------------------------------------------------------------------


def _news_page(item: NewsItem, context: _Context) -> NewsPage:
    item = fill(item, context.local)
    day = (context.now - dt.timedelta(days=item.days_ago)).astimezone(PARIS).date()
    return NewsPage(
        title=item.title, slug=item.key, date=day, lead=item.lead,
        body=streams.paragraphs(f"{context.commune.insee_code}:{item.key}:body", item.body),
        categories=context.categories_for(item.categories),
        first_published_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=PARIS),
    )


def _event_page(item: EventItem, context: _Context) -> EventPage:
    rng = context.rng(item.key)
    start = _event_start(item, now=context.now)
    with translation.override("fr"):
        day = formats.date_format(start.astimezone(PARIS), "l j F")
    item = fill(item, context.local, date=day)
    latitude, longitude = point_near(context.commune, rng)
    return EventPage(
        title=item.title, slug=item.key, start=start,
        end=start + dt.timedelta(hours=item.duration_hours), all_day=item.all_day,
        summary=item.summary,
        body=streams.paragraphs(f"{context.commune.insee_code}:{item.key}:body", item.body),
        venue_name=capfirst(item.venue), address=item.address,
        latitude=latitude, longitude=longitude, organiser=item.organiser,
        organiser_email=item.organiser_email, organiser_phone=item.organiser_phone,
        is_free=item.is_free, price=item.price, registration_url=item.registration_url,
        accessibility=item.accessibility,
        categories=context.categories_for(item.categories),
        first_published_at=min(context.now, start - dt.timedelta(days=21)),
    )


def _event_start(item: EventItem, *, now: dt.datetime) -> dt.datetime:
    today = now.astimezone(PARIS).date()
    if item.month is not None:
        day = _nth_weekday(today.year, item.month, item.weekday or 0, item.nth)
        if item.past and day >= today:
            day = _nth_weekday(today.year - 1, item.month, item.weekday or 0, item.nth)
        elif not item.past and day <= today:
            day = _nth_weekday(today.year + 1, item.month, item.weekday or 0, item.nth)
    else:
        day = today + dt.timedelta(days=item.days)
        if item.weekday is not None:
            day += dt.timedelta(days=(item.weekday - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(item.hour, item.minute), tzinfo=PARIS)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _alert_page(item: AlertItem, context: _Context) -> AlertPage:
    item = fill(item, context.local)
    valid_from = context.now + dt.timedelta(hours=item.starts_in_hours)
    valid_until = (valid_from + dt.timedelta(hours=item.lasts_hours)
                   if item.lasts_hours is not None else None)
    return AlertPage(
        title=item.title, slug=item.key, severity=item.severity,
        valid_from=valid_from, valid_until=valid_until, message=item.message,
        categories=context.categories_for(item.categories),
        first_published_at=min(context.now, valid_from),
    )


def _info_page(item: InfoItem, context: _Context) -> InfoPage:
    item = fill(item, context.local)
    key = f"{context.commune.insee_code}:{item.key}"
    return InfoPage(
        title=item.title, slug=item.key, topic=item.topic, summary=item.summary,
        opening_hours=streams.opening_hours(f"{key}:hours", item.opening_hours),
        body=streams.paragraphs(f"{key}:body", item.body),
        categories=context.categories_for(item.categories),
        first_published_at=context.now - dt.timedelta(days=context.rng(item.key).randint(60, 400)),
    )


def _directory_page(item: DirectoryItem, context: _Context) -> DirectoryEntryPage:
    rng = context.rng(item.key)
    item = fill(item, context.local)
    key = f"{context.commune.insee_code}:{item.key}"
    latitude, longitude = point_near(context.commune, rng)
    pickup_points = []
    for index, point in enumerate(item.pickup_points):
        # A pickup point away from the farm is in the village (AMAP, grocer's).
        where = ((latitude, longitude) if point.at_producer
                 else point_near(context.commune, rng, km=0.5))
        pickup_points.append(streams.pickup_point(
            f"{key}:pickup:{index}", name=point.name, address=point.address,
            schedule=point.schedule, latitude=where[0], longitude=where[1],
        ))
    return DirectoryEntryPage(
        title=item.title, slug=item.key, kind=item.kind, description=item.description,
        address=item.address, latitude=latitude, longitude=longitude,
        opening_hours=streams.opening_hours(f"{key}:hours", item.opening_hours),
        phone=phone(rng), email=item.email, website=item.website,
        products=streams.products(f"{key}:products", item.products),
        market_days=streams.market_days(f"{key}:markets", item.market_days),
        pickup_points=pickup_points,
        categories=context.categories_for(item.categories),
        first_published_at=context.now - dt.timedelta(days=rng.randint(30, 700)),
    )


def _producer_page(farm: int) -> Callable[[DirectoryItem, _Context], DirectoryEntryPage]:
    """Build a producer on the commune's first or second farm (lieu-dit)."""

    def build(item: DirectoryItem, context: _Context) -> DirectoryEntryPage:
        if farm:
            context = replace(context, local=replace(
                context.local, farm_place=context.local.other_farm_place))
        return _directory_page(item, context)

    return build


# Wagtail -------------------------------------------------------------------------


def _publish(*, parent: Page, page: Page, user) -> Page:
    """Create and publish the page as the admin's "Publish" button does."""
    page.owner = user
    page.live = False
    parent.add_child(instance=page)
    page.save_revision(user=user, log_action=True).publish(user=user)
    return page


def _commune_intro_ensure(*, commune: CommuneHomePage, local: Local, user) -> None:
    """Give the commune page a presentation, unless an editor already wrote one."""
    if commune.intro:
        return
    commune.intro = _commune_intro(commune=commune, local=local, language="fr")
    commune.save_revision(user=user, log_action=True).publish(user=user)


def _commune_intro(*, commune: CommuneHomePage, local: Local, language: str) -> str:
    population = f"{commune.population:,}".replace(",", "\u202f") if commune.population else ""
    if language == "en":
        people = f", a commune of {population} inhabitants in {local.epci}" if population else ""
        return (f"<p>Welcome to {commune.title}{people}. News, events, practical information "
                "and local addresses: all of local life, from the town hall to the farms "
                "nearby.</p>")
    people = f", commune de {population} habitants de {local.epci}" if population else ""
    return (f"<p>Bienvenue à {commune.title}{people}. Actualités, agenda, infos pratiques et "
            "bonnes adresses : toute la vie locale, de la mairie aux producteurs du coin.</p>")


def _translate(*, page: Page, section: Page, locale: Locale, user, english: Page) -> int:
    """Translate the page, and first its portal, commune and section; return how many."""
    if page.get_translation_or_none(locale) is not None:
        return 0
    commune = section.get_parent().specific
    portal = PortalPage.objects.ancestor_of(commune).first()
    ancestors = [
        (commune, _commune_english(commune)),
        (section, type(section)(title=SECTION_TITLES_EN[type(section)], slug=section.slug)),
    ]
    if portal is not None:
        # The English portal is a sibling of the French one: it needs its own slug.
        english_slug = f"{portal.slug}-{locale.language_code}"
        ancestors.insert(0, (portal, PortalPage(title=portal.title, slug=english_slug)))
    made = 0
    for ancestor, ancestor_english in ancestors:
        if ancestor.get_translation_or_none(locale) is None:
            page_translate(page=ancestor, locale=locale, english=ancestor_english, user=user)
            made += 1
    page_translate(page=page, locale=locale, english=english, user=user)
    return made + 1


def _commune_english(commune: CommuneHomePage) -> CommuneHomePage:
    english = CommuneHomePage(title=commune.title, slug=commune.slug)
    english.intro = _commune_intro(commune=commune, local=local_for(commune), language="en")
    # Only the French intro written by the demo has a known English version.
    french = _commune_intro(commune=commune, local=local_for(commune), language="fr")
    if commune.intro != french:
        english.intro = commune.intro
    return english
