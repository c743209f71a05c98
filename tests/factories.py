"""Factories for communes and their content (factory_boy + wagtail_factories)."""

import datetime as dt
import itertools

import factory
import wagtail_factories
from django.utils import timezone

from cms.communes.services import CommuneData, commune_upsert
from cms.content import models as content

_insee = itertools.count(44900)


def make_commune(**overrides):
    """Create a commune (page, sections, Site) through the real service."""
    number = next(_insee)
    values = {
        "insee_code": f"{number:05d}",
        "name": f"Commune {number}",
        "population": 1000,
        "postcodes": ["44000"],
        "department_code": "44",
        "department_name": "Loire-Atlantique",
        "epci_code": "244400644",
        "epci_name": "CARENE",
        "latitude": 47.3,
        "longitude": -2.1,
    }
    values.update(overrides)
    commune, _created = commune_upsert(data=CommuneData(**values))
    return commune


def section(commune, model):
    return model.objects.child_of(commune).get()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = content.Category
        django_get_or_create = ("slug", "locale")

    name = factory.Sequence(lambda n: f"Catégorie {n}")
    slug = factory.Sequence(lambda n: f"categorie-{n}")
    locale = factory.LazyFunction(lambda: __import__("wagtail.models").models.Locale.get_default())


class NewsPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = content.NewsPage

    title = factory.Sequence(lambda n: f"Actualité {n}")
    lead = "Un chapô."
    date = factory.LazyFunction(timezone.localdate)


class EventPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = content.EventPage

    title = factory.Sequence(lambda n: f"Événement {n}")
    start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=2))
    venue_name = "Salle des fêtes"


class AlertPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = content.AlertPage

    title = factory.Sequence(lambda n: f"Alerte {n}")
    message = "<p>Coupure d'eau.</p>"
    valid_from = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))


class InfoPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = content.InfoPage

    title = factory.Sequence(lambda n: f"Info {n}")


class DirectoryEntryPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = content.DirectoryEntryPage

    title = factory.Sequence(lambda n: f"Fiche {n}")
    kind = content.DirectoryKind.ASSOCIATION


def publish(page):
    """Publish through Wagtail's revision flow (fires page_published)."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_event(commune, **kwargs):
    return EventPageFactory(parent=section(commune, content.EventIndexPage), **kwargs)


def make_news(commune, **kwargs):
    return NewsPageFactory(parent=section(commune, content.NewsIndexPage), **kwargs)


def make_alert(commune, **kwargs):
    return AlertPageFactory(parent=section(commune, content.AlertIndexPage), **kwargs)


def make_info(commune, **kwargs):
    return InfoPageFactory(parent=section(commune, content.InfoIndexPage), **kwargs)


def make_directory(commune, **kwargs):
    return DirectoryEntryPageFactory(parent=section(commune, content.DirectoryIndexPage),
                                     **kwargs)


def soon(days=1, hours=0):
    return timezone.now() + dt.timedelta(days=days, hours=hours)


def changes_numbered():
    """What a commit does for the change feed: number the new changes (the pipeline's
    "changes" outbox category, drained on commit; tests run in a transaction that never
    commits, so they drain it themselves before reading the feed)."""
    from cms.publishing.outbox import outbox_drain

    outbox_drain(categories=["changes"])


def worker_pass(*categories: str):
    """What the worker loop does next: drain these outbox categories (all when none)."""
    from cms.publishing.outbox import outbox_drain

    outbox_drain(categories=list(categories) or None)
