"""Writes of the resident site: a resident's proposal becomes a draft under moderation."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from cms.communes.models import CommuneHomePage
from cms.content.inbound import page_text_sanitise
from cms.content.models import DirectoryEntryPage, EventPage, NewsPage
from cms.core import sanitise
from cms.core.ratelimit import address_bucket, rate_limit_hit, rate_limit_release
from cms.readmodel import listings as selectors

from .models import Contribution
from .uploads import contribution_image_publish, contribution_image_store

logger = logging.getLogger(__name__)

CONTRIBUTION_SCOPE = "contribution"
SECTION_OF_KIND = {
    Contribution.Kind.EVENT: "events",
    Contribution.Kind.NEWS: "news",
    Contribution.Kind.DIRECTORY: "directory",
}


class ContributionRejected(Exception):
    """The proposal cannot be stored; `errors` maps form fields (or None) to messages."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def contribution_slot_take(*, ip_address: str | None) -> bool:
    """Take one of the proposals this address may send in the window; False when none is
    left. Atomic: of concurrent requests, exactly the allowed number get one."""
    return rate_limit_hit(scope=CONTRIBUTION_SCOPE, who=address_bucket(ip_address),
                          limit=settings.CLOCHER_CONTRIBUTION_RATE_LIMIT,
                          window_seconds=settings.CLOCHER_CONTRIBUTION_RATE_WINDOW_SECONDS
                          ).allowed


def contribution_slot_release(*, ip_address: str | None) -> None:
    """Give back a slot whose proposal was not stored."""
    rate_limit_release(scope=CONTRIBUTION_SCOPE, who=address_bucket(ip_address),
                       window_seconds=settings.CLOCHER_CONTRIBUTION_RATE_WINDOW_SECONDS)


def contribution_submit(
    *, commune: CommuneHomePage, data: dict, ip_address: str | None
) -> Contribution:
    """Create the draft page, submit it to the commune's workflow, confirm by email."""
    section = selectors.commune_sections(commune=commune).get(SECTION_OF_KIND[data["kind"]])
    if section is None:
        raise ContributionRejected({None: [_("Cette commune ne reçoit pas ce type de contenu.")]})
    # Names and titles are one line: they go into mail subjects (ours and the
    # moderators' notifications), where a line break fails the message.
    data = {**data, "title": sanitise.one_line(data["title"], limit=255),
            "name": sanitise.one_line(data["name"], limit=120)}
    with transaction.atomic():
        image = _image_store(commune=commune, data=data)
        page = _page_build(data=data, image=image)
        # The sanitising boundary: every field as its kind declares it (plain or HTML).
        page_text_sanitise(page=page)
        page.slug = _free_slug(section=section, title=data["title"])
        try:
            section.add_child(instance=page)
        except ValidationError as error:
            raise ContributionRejected(_errors_of(error)) from error
        page.save_revision(user=None, log_action=True)
        workflow = page.get_workflow()
        if workflow is not None:
            workflow.start(page, None)
        contribution = Contribution.objects.create(
            page=page, commune=commune, kind=data["kind"], title=data["title"],
            name=data["name"], email=data["email"], ip_address=ip_address,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        # Written now, in the language of the resident's page, sent after commit.
        subject = _("Votre proposition « %(title)s » est bien reçue") % {
            "title": contribution.title}
        body = _("Bonjour %(name)s,\n\nMerci ! Votre proposition « %(title)s » pour "
                 "%(commune)s a été transmise à l'équipe de la commune. Elle sera relue "
                 "avant publication ; nous vous écrirons quand elle sera publiée ou si "
                 "elle est refusée.\n\n— Clocher") % {
            "name": contribution.name, "title": contribution.title, "commune": commune.title}
        transaction.on_commit(lambda: _mail(to=contribution.email, subject=subject, body=body))
    return contribution


def contributions_published(*, page_ids: list[int]) -> None:
    """Tell contributors their proposals are online (the pipeline's observer: one query
    for every page published together)."""
    for contribution in Contribution.objects.filter(
            page_id__in=page_ids, status=Contribution.Status.PENDING).select_related("page"):
        contribution_published(contribution=contribution)


def contribution_published(*, contribution: Contribution) -> None:
    """Tell the contributor their proposal is online."""
    contribution.status = Contribution.Status.PUBLISHED
    contribution.decided_at = timezone.now()
    contribution.save(update_fields=["status", "decided_at"])
    if contribution.page is not None:
        contribution_image_publish(page=contribution.page, commune=contribution.commune)
    url = contribution.page.get_full_url() if contribution.page else ""
    # A moderator's action, in the admin's language: switch to the resident's.
    with override(contribution.language):
        subject = _("Votre proposition « %(title)s » est publiée") % {
            "title": contribution.title}
        body = _("Bonjour %(name)s,\n\nVotre proposition « %(title)s » est en ligne : "
                 "%(url)s\n\nMerci de faire vivre votre commune !\n\n— Clocher") % {
            "name": contribution.name, "title": contribution.title, "url": url}
    transaction.on_commit(lambda: _mail(to=contribution.email, subject=subject, body=body))


def contribution_declined(*, page_id: int, comment: str = "") -> None:
    """Tell the contributor the moderators did not publish their proposal, in the
    moderator's words when they left a comment (*Demander des modifications* included:
    a resident cannot edit the draft, so the comment says what to send again)."""
    contribution = Contribution.objects.filter(
        page_id=page_id, status=Contribution.Status.PENDING).first()
    if contribution is None:
        return
    contribution.status = Contribution.Status.DECLINED
    contribution.decided_at = timezone.now()
    contribution.moderator_comment = comment
    contribution.save(update_fields=["status", "decided_at", "moderator_comment"])
    with override(contribution.language):  # see contribution_published
        subject = _("Votre proposition « %(title)s » n'a pas été retenue") % {
            "title": contribution.title}
        if comment:
            body = _("Bonjour %(name)s,\n\nL'équipe de la commune n'a pas publié votre "
                     "proposition « %(title)s » telle quelle. Son message :\n\n%(comment)s"
                     "\n\nVous pouvez proposer une nouvelle version depuis le site de la "
                     "commune.\n\n— Clocher") % {
                "name": contribution.name, "title": contribution.title, "comment": comment}
        else:
            body = _("Bonjour %(name)s,\n\nL'équipe de la commune n'a pas retenu votre "
                     "proposition « %(title)s ». N'hésitez pas à contacter la mairie pour en "
                     "savoir plus.\n\n— Clocher") % {
                "name": contribution.name, "title": contribution.title}
    transaction.on_commit(lambda: _mail(to=contribution.email, subject=subject, body=body))


def _mail(*, to: str, subject: str, body: str) -> None:
    # A mail server down must not turn a stored proposal into an error page; a subject
    # is one line whatever text it quotes.
    try:
        send_mail(sanitise.one_line(subject), body, None, [to])
    except Exception:
        logger.exception("Contribution email to %s failed", to)


def _image_store(*, commune: CommuneHomePage, data: dict):
    upload = data.get("image")
    if not upload:
        return None
    # Private until the proposal is approved (uploads.py).
    return contribution_image_store(
        commune=commune, upload=upload, title=data.get("image_alt") or data["title"],
        description=data.get("image_alt") or "")


def _page_build(*, data: dict, image):
    kind = data["kind"]
    if kind == Contribution.Kind.EVENT:
        return EventPage(
            title=data["title"], start=data["start"], end=data.get("end"),
            time_zone="Europe/Paris", summary=data["text"][:600],
            venue_name=data.get("venue_name", ""), address=data.get("address", ""),
            # What the resident chose to show (an association), never their own name.
            organiser=sanitise.one_line(data.get("organiser") or "", limit=200),
            image=image, live=False,
        )
    if kind == Contribution.Kind.NEWS:
        return NewsPage(title=data["title"], lead=data["text"][:600], image=image,
                        date=timezone.localdate(), live=False)
    return DirectoryEntryPage(
        title=data["title"], kind=data["directory_kind"],
        description=sanitise.html_paragraphs(data["text"]),
        address=data.get("address", ""), phone=data.get("phone", ""),
        website=data.get("website", ""), image=image, live=False,
    )


def _free_slug(*, section, title: str) -> str:
    base = (slugify(title) or "proposition")[:60].strip("-") or "proposition"
    taken = set(section.get_children().filter(slug__startswith=base)
                .values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _errors_of(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field if field != "__all__" else None: [str(m) for e in errors for m in e]
                for field, errors in error.error_dict.items()}
    return {None: list(error.messages)}
