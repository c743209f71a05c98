"""Typed descriptions of demo pages, written once and filled in for each commune.

Text may hold placeholders (`{commune}`, `{venue}`, …, see `places.Local`); times
are offsets from "now", so upcoming events stay upcoming whenever the demo is
loaded. `en` holds the English version of some fields, with the same shape: pages
that have one get a wagtail-localize translation in the demo communes chosen for it.
"""

from dataclasses import dataclass
from typing import Any

Slot = tuple[str, str, str]  # (weekday "mon".."sun", opens "HH:MM", closes "HH:MM")


@dataclass(frozen=True, kw_only=True)
class NewsItem:
    key: str
    title: str
    lead: str
    body: tuple[str, ...]  # paragraphs, inline HTML allowed
    categories: tuple[str, ...] = ()
    days_ago: int = 7
    en: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class EventItem:
    key: str
    title: str
    summary: str
    body: tuple[str, ...]
    venue: str
    address: str
    organiser: str
    organiser_email: str = ""
    organiser_phone: str = ""
    categories: tuple[str, ...] = ()
    # When: `days` from today (negative: in the past), moved forward to `weekday`
    # (0 = Monday) if given; or, with `month`, the nth `weekday` of that month, the
    # next such date from today (or the last one before today when `past`).
    days: int = 14
    weekday: int | None = None
    month: int | None = None
    nth: int = 1
    past: bool = False
    hour: int = 20
    minute: int = 0
    duration_hours: float = 2.0
    all_day: bool = False
    is_free: bool = False
    price: str = ""
    registration_url: str = ""
    accessibility: str = ""
    en: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class AlertItem:
    key: str
    title: str
    severity: int  # AlertSeverity value
    message: str  # HTML
    starts_in_hours: float = -2.0  # negative: already in force
    lasts_hours: float | None = 24.0  # None: until further notice
    categories: tuple[str, ...] = ()
    en: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class InfoItem:
    key: str
    title: str
    topic: str  # InfoTopic value
    summary: str
    body: tuple[str, ...]
    opening_hours: tuple[Slot, ...] = ()
    categories: tuple[str, ...] = ()
    en: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class Product:
    name: str
    months: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class MarketDay:
    place: str
    day: str
    opens: str
    closes: str


@dataclass(frozen=True, kw_only=True)
class PickupPoint:
    name: str
    address: str
    schedule: str
    at_producer: bool = False  # located at the producer's own address


@dataclass(frozen=True, kw_only=True)
class DirectoryItem:
    key: str
    title: str
    kind: str  # DirectoryKind value
    description: str  # HTML
    address: str
    opening_hours: tuple[Slot, ...] = ()
    email: str = ""
    website: str = ""
    products: tuple[Product, ...] = ()
    market_days: tuple[MarketDay, ...] = ()
    pickup_points: tuple[PickupPoint, ...] = ()
    categories: tuple[str, ...] = ()
    en: dict[str, Any] | None = None
