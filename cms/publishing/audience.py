"""Who sees an item beyond its own commune: decided by the sharing rules.

The rules live in federation/ (a layer above); it registers itself here as the
audience provider in its AppConfig.ready(), so the pipeline and the read model ask
through this module and never import federation. Without a provider nothing is
shared.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from wagtail.models import Page


class AudienceProvider(Protocol):
    def decide(self, *, page: Page) -> None:
        """Bring the page's references in line with its commune's sharing rules, in
        the publishing transaction (no network)."""

    def sharing(self, *, keys: Iterable[uuid.UUID] | None
                ) -> dict[uuid.UUID, tuple[list[str], list[str]]]:
        """(INSEE codes accepted in, INSEE codes featured in) per translation key;
        every key with any, when `keys` is None."""


    def reads(self) -> Any:
        """The readers' side: an object with `shared_keys_into(*, communes)`,
        `shared_accepted_into(*, communes, limit)`, `shared_keys_into_ids(*, commune_ids,
        kind=None)` and `shared_annotations(*, communes)` (federation/sharing/selectors)."""


class _NoSharingReads:
    @staticmethod
    def shared_keys_into(*, communes):
        return Page.objects.none().values("translation_key")

    @staticmethod
    def shared_keys_into_ids(*, commune_ids, kind=None):
        return Page.objects.none().values("translation_key")

    @staticmethod
    def shared_accepted_into(*, communes, limit):
        return {}

    @staticmethod
    def shared_annotations(*, communes):
        from django.db.models import BooleanField, CharField, Value

        return {"shared_featured": Value(False, output_field=BooleanField()),
                "shared_via": Value(None, output_field=CharField())}


class _NoSharing:
    def decide(self, *, page: Page) -> None:
        return None

    def sharing(self, *, keys):
        return {}

    def reads(self):
        return _NoSharingReads


_provider: AudienceProvider = _NoSharing()


def audience_provider_register(provider: AudienceProvider) -> None:
    global _provider
    _provider = provider


def audience_decide(*, page: Page) -> None:
    _provider.decide(page=page)


def audience_reads() -> Any:
    """Query builders over the audiences, for listings (see AudienceProvider.reads)."""
    return _provider.reads()


def sharing_by_translation_key(*, keys: Iterable[uuid.UUID] | None = None,
                               ) -> dict[uuid.UUID, tuple[list[str], list[str]]]:
    return _provider.sharing(keys=keys)
