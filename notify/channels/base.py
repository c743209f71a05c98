"""What a channel is: it sends a batch of messages and says how each one went."""

from __future__ import annotations

from dataclasses import dataclass

from cms.readmodel.models import PublishedItem

from ..models import Delivery


@dataclass
class Outgoing:
    """One delivery to make, with the item as it is now, in the subscriber's language."""

    delivery: Delivery
    item: PublishedItem


@dataclass(frozen=True)
class Result:
    """How one delivery went: sent, or an error; `permanent` errors are not retried
    (an address refused, a number invalid), the others are, with backoff."""

    sent: bool
    error: str = ""
    permanent: bool = False


SENT = Result(sent=True)


class ChannelBackend:
    """A channel's sender. `send` gets a batch and returns one Result per Outgoing,
    in order; raising means the whole batch failed transiently."""

    name: str = ""
    batch_size: int = 200

    def send(self, batch: list[Outgoing]) -> list[Result]:
        raise NotImplementedError


def item_text(item: PublishedItem) -> tuple[str, str]:
    """(title, summary) of an item as messages show it."""
    summary = (item.payload or {}).get("summary") or ""
    return item.title, summary
