"""StreamField values in their stored (raw JSON) form, with stable block ids.

Both demo modes build raw values: a page instance accepts them as they are, and the
bulk path inserts them without instantiating blocks. Block ids derive from a key,
so the same demo page always has the same ids, which is what lets the English
version's strings be matched to the French ones (see `translations`).
"""

import uuid
from collections.abc import Iterable

from .items import MarketDay, Product, Slot

BLOCK_IDS = uuid.UUID("0242cd1c-dc95-4443-8b24-b454fc9b948e")


def block_id(key: str) -> str:
    return str(uuid.uuid5(BLOCK_IDS, key))


def paragraphs(key: str, texts: Iterable[str]) -> list[dict]:
    return [
        {"type": "paragraph", "value": f"<p>{text}</p>", "id": block_id(f"{key}:{index}")}
        for index, text in enumerate(texts)
    ]


def opening_hours(key: str, slots: Iterable[Slot]) -> list[dict]:
    return [
        {"type": "slot", "value": {"day": day, "opens": f"{opens}:00", "closes": f"{closes}:00"},
         "id": block_id(f"{key}:{index}")}
        for index, (day, opens, closes) in enumerate(slots)
    ]


def products(key: str, items: Iterable[Product]) -> list[dict]:
    return [
        {"type": "product",
         "value": {"name": product.name, "months": [str(month) for month in product.months]},
         "id": block_id(f"{key}:{index}")}
        for index, product in enumerate(items)
    ]


def market_days(key: str, items: Iterable[MarketDay]) -> list[dict]:
    return [
        {"type": "market",
         "value": {"place": market.place, "day": market.day, "opens": f"{market.opens}:00",
                   "closes": f"{market.closes}:00"},
         "id": block_id(f"{key}:{index}")}
        for index, market in enumerate(items)
    ]


def pickup_point(key: str, *, name: str, address: str, schedule: str,
                 latitude: float | None, longitude: float | None) -> dict:
    return {
        "type": "pickup_point",
        "value": {"name": name, "address": address, "schedule": schedule,
                  "latitude": latitude, "longitude": longitude},
        "id": block_id(key),
    }
