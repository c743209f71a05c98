"""`from_ap()`: remote objects stored as read-only pages under a mirror of their commune.

A followed remote commune is mirrored as a CommuneHomePage flagged with
`origin_server` (no Site, not a local commune); each object it publishes is stored
once, as a real content page under that mirror, carrying its provenance. Being real
pages, they reach the read model (API), the search index and the frontend through the
very signals local pages use. The federation worker is the only writer.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale

from cms.content.inbound import page_text_sanitise
from cms.content.kinds import kind_for_ap, kind_named
from cms.core.sanitise import text_of_markup

from .wire import APObject

# The actor types that speak for a commune (a Clocher commune, a town hall's
# organisation account). Posts of anyone else are proposals (docs/federation.md,
# "What comes from people").
COMMUNE_ACTOR_TYPES = frozenset({"Organization"})


def actor_speaks_for_a_commune(remote_actor) -> bool:
    return remote_actor.type in COMMUNE_ACTOR_TYPES


def kind_of_object(obj: APObject, remote_actor) -> str | None:
    """The content kind (cms/content/kinds.py) a received object is stored as, by name:
    the one a Clocher peer names, else the one that takes its type. From a person, a
    group or any actor that is not a commune, a kind may say what it becomes instead
    (`extra["ap_from_people_as"]`: an alert is a commune's word, a person's post is
    news to review)."""
    kind = kind_for_ap(obj.type, obj.extra.get("clocherKind"))
    if kind is not None and not actor_speaks_for_a_commune(remote_actor):
        kind = kind_named(kind.extra.get("ap_from_people_as", kind.name))
    return kind.name if kind else None


def content_model(kind: str):
    return kind_named(kind).model


def mirror_commune(*, remote_actor):
    """The local mirror of a remote commune, created on first use."""
    from django.apps import apps

    from cms.communes.models import CommuneHomePage
    from cms.communes.services import commune_sections_default, portal_get_or_create

    if remote_actor.mirror_id:
        return remote_actor.mirror
    locale = Locale.get_default()
    portal = portal_get_or_create()
    base = slugify(remote_actor.preferred_username or remote_actor.name or "commune")[:40]
    slug = f"{base}-{slugify(remote_actor.domain.replace(':', '-'))}"[:80]
    commune = CommuneHomePage(
        title=(remote_actor.name or remote_actor.preferred_username)[:255] or remote_actor.url,
        slug=slug, locale=locale, insee_code="", department_code="",
        origin_server=remote_actor.domain, actor_url=remote_actor.url,
    )
    # A mirror carries no official data (no INSEE code: the import finds communes by
    # it and must never update a mirror), so the official-data validation does not apply.
    commune.full_clean = lambda *args, **kwargs: None
    portal.add_child(instance=commune)
    for label, title, section_slug in commune_sections_default():
        commune.add_child(instance=apps.get_model(label)(title=title, slug=section_slug,
                                                        locale=locale))
    remote_actor.mirror = commune
    remote_actor.save(update_fields=["mirror"])
    return commune


def _section(commune, kind: str):
    return kind_named(kind).section_model().objects.child_of(commune).first()


def _fill(page, obj: APObject, *, kind: str, remote_actor) -> None:
    page.title = obj.name or _title_from_text(obj.summary or text_of_markup(
        obj.content, limit=2000)) or "Sans titre"
    page.origin_server = remote_actor.domain
    page.origin_url = obj.url[:500]
    page.ap_id = obj.id
    page.ap_version = obj.version
    kind_named(kind).from_ap(page, obj)
    # The kind's declared fields as declared, whatever its from_ap did with the values.
    page_text_sanitise(page=page)


def _title_from_text(text: str, limit: int = 80) -> str:
    """A title for an object that has none (a Note): its first words."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _versions_locked(*, ap_id: str, actor_url: str):
    """The object's owner row (None if nobody owns it yet) and actor_url's own row (a
    new one if it has none), row-locked: ownership is per actor (ObjectVersion)."""
    from federation.models import ObjectVersion

    rows = list(ObjectVersion.objects.select_for_update().filter(ap_id=ap_id))
    owner = next((row for row in rows if row.is_owner), None)
    mine = next((row for row in rows if row.actor_url == actor_url), None)
    return owner, mine or ObjectVersion(ap_id=ap_id, actor_url=actor_url)


def version_is_stale(obj: APObject, stored: dt.datetime | None, *, edit: bool) -> bool:
    """Whether `obj` is older than the version stored: nothing stored, never; an object
    without a date never replaces a dated one; a `Create` is stale unless newer; an
    `Update` (`edit`) only when older, so an edit dated the same second as the post is
    not lost (GoToSocial and Mastodon date to the second: alice's edit right after her
    post carried the post's own date)."""
    if not stored:
        return False
    if obj.version is None:
        return True
    return obj.version < stored if edit else obj.version <= stored


def object_store(*, obj: APObject, remote_actor, edit: bool = False
                 ) -> tuple[object | None, str]:
    """Apply a Create or Update; return (page, outcome). Only the actor that created an
    object may change it, older versions are ignored, a deleted object never comes back."""
    kind = kind_of_object(obj, remote_actor)
    if kind is None:
        return None, "unsupported type"
    model = content_model(kind)
    with transaction.atomic():
        owner, version = _versions_locked(ap_id=obj.id, actor_url=remote_actor.url)
        if owner is not None and owner.actor_url != remote_actor.url:
            return None, "not owner"
        if version.deleted_at is not None:
            return None, "deleted"
        if version_is_stale(obj, version.version, edit=edit):
            return None, "stale"
        commune = mirror_commune(remote_actor=remote_actor)
        page = model.objects.filter(pk=version.page_id).first() if version.page_id else None
        if page is None:
            # A page stored before its version row: only under this actor's own mirror.
            page = model.objects.filter(ap_id=obj.id).descendant_of(commune).first()
        created = page is None
        if created:
            page = model(locale=Locale.get_default())
        _fill(page, obj, kind=kind, remote_actor=remote_actor)
        if created:
            # Created live, without a revision (the origin keeps the history): post_save
            # hands it to the publishing pipeline (cms/publishing), as for pages created
            # in code; half the queries of a revision publish.
            page.slug = _unique_slug(slugify(page.title)[:60] or "objet", obj.id)
            page.live = True
            page.first_published_at = page.last_published_at = timezone.now()
            _section(commune, kind).add_child(instance=page)
        else:
            page.save_revision().publish()
        version.is_owner = True
        version.page_id = page.pk
        version.version = obj.version
        version.save()
        _share(page=page, commune=commune, remote_actor=remote_actor, kind=kind)
    return page, "created" if created else "updated"


def _unique_slug(base: str, ap_id: str) -> str:
    import hashlib

    return f"{base}-{hashlib.sha256(ap_id.encode()).hexdigest()[:8]}"


def object_delete(*, ap_id: str, remote_actor, deleted_at: dt.datetime | None = None) -> str:
    """Record the actor's tombstone (even before any Create) and remove the page, if
    the actor owns the object or nobody does yet."""
    with transaction.atomic():
        owner, version = _versions_locked(ap_id=ap_id, actor_url=remote_actor.url)
        if owner is not None and owner.actor_url != remote_actor.url:
            return "not owner"
        if version.deleted_at is not None:
            return "already deleted"
        version.deleted_at = deleted_at or timezone.now()
        version.save()
        if version.page_id:
            from wagtail.models import Page

            page = Page.objects.filter(pk=version.page_id).first()
            if page is not None:
                page.specific.delete()
    return "deleted"


def _share(*, page, commune, remote_actor, kind: str) -> None:
    """Hand the stored page to the sharing rules of the local communes that follow it."""
    from federation.models import Follow, FollowDirection, FollowState

    followers = [follow.commune for follow in Follow.objects.filter(
        remote_actor=remote_actor, direction=FollowDirection.OUTBOUND,
        state=FollowState.ACCEPTED).select_related("commune")]
    if not followers:
        return
    from federation.sharing import share_create

    for receiver in followers:
        # The receiver's acceptance rules decide: visible at once, or held for review;
        # what a person, a group or anyone but a commune posts is always held.
        share_create(page=page, receiver=receiver, source_server=remote_actor.domain,
                     source_commune=commune,
                     hold=not actor_speaks_for_a_commune(remote_actor))
