"""The moderators' queue (issue 28, item 2): what awaits the user's review, with where
it comes from, what it is, who sent it and since when.

An animateur covering ten communes sees at a glance which communes have items waiting
and filters by one; a resident's proposal shows the resident's name and address (never
published) so the moderator can ask a question. Approving or asking for changes stays
Wagtail's own workflow action, on the page's editor; the moderator's comment reaches a
resident by mail (frontend/services.contribution_declined).
"""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, TaskState

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_list_moderated_by
from cms.content.kinds import kind_of_model

from .models import Contribution


@dataclass(frozen=True, kw_only=True)
class QueueRow:
    page: Page
    commune: CommuneHomePage | None
    kind: str
    submitter: str
    email: str
    resident: bool
    submitted_at: dt.datetime

    @property
    def age(self) -> dt.timedelta:
        return timezone.now() - self.submitted_at

    @property
    def just_in(self) -> bool:
        """Under a minute old (Django's timesince says "0 minute")."""
        return self.age < dt.timedelta(minutes=1)


class QueueFilter(forms.Form):
    commune = forms.ChoiceField(label=_("Commune"), required=False)

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("Toutes mes communes")),
                                          *((c.insee_code, c.title) for c in communes)]


def moderation_queue(*, user) -> list[QueueRow]:
    """Pages awaiting a task the user may approve, oldest first."""
    states = list(TaskState.objects.reviewable_by(user)
                  .select_related("workflow_state", "workflow_state__requested_by")
                  .order_by("started_at", "pk"))
    ids = {}
    for state in states:
        try:
            ids[state.pk] = int(state.workflow_state.object_id)
        except (TypeError, ValueError):
            continue
    pages = Page.objects.filter(pk__in=set(ids.values())).specific().in_bulk()
    homes = _communes_of(pages.values())
    contributions = {c.page_id: c for c in Contribution.objects.filter(page_id__in=pages)}
    rows = []
    for state in states:
        page = pages.get(ids.get(state.pk))
        if page is None:
            continue
        kind = kind_of_model(type(page))
        contribution = contributions.get(page.pk)
        requester = state.workflow_state.requested_by
        if contribution is not None:
            submitter, email = contribution.name, contribution.email
        elif requester is not None:
            submitter = requester.get_full_name() or requester.get_username()
            email = requester.email
        else:
            submitter, email = "", ""
        rows.append(QueueRow(
            page=page, commune=homes.get(page.pk), kind=str(kind.label) if kind else "",
            submitter=submitter, email=email, resident=contribution is not None,
            submitted_at=state.started_at))
    return rows


def _communes_of(pages) -> dict[int, CommuneHomePage]:
    """Each page's commune (its source-locale home), in one query."""
    steplen = Page.steplen
    prefixes = {page.path[:end] for page in pages for end in range(steplen, len(page.path),
                                                                    steplen)}
    homes = list(CommuneHomePage.objects.filter(path__in=prefixes))
    by_path = {home.path: home for home in homes}
    sources = {home.translation_key: home for home in CommuneHomePage.objects.filter(
        translation_key__in=[home.translation_key for home in homes]).filter(
        Q(locale__language_code=_default_language()))}
    found = {}
    for page in pages:
        for end in range(steplen, len(page.path), steplen):
            home = by_path.get(page.path[:end])
            if home is not None:
                found[page.pk] = sources.get(home.translation_key, home)
                break
    return found


def _default_language() -> str:
    from cms.core.locales import default_locale

    return default_locale().language_code


def moderation_queue_view(request):
    """/admin/moderation/: the queue, filtered by commune (?commune=<INSEE>)."""
    communes = list(commune_list_moderated_by(user=request.user))
    form = QueueFilter(request.GET or None, communes=communes)
    rows = moderation_queue(user=request.user)
    counts = {}
    for row in rows:
        if row.commune is not None:
            counts[row.commune.insee_code] = counts.get(row.commune.insee_code, 0) + 1
    chosen = form.cleaned_data.get("commune") if form.is_bound and form.is_valid() else ""
    if chosen:
        rows = [row for row in rows if row.commune and row.commune.insee_code == chosen]
    return TemplateResponse(request, "frontend/admin/moderation_queue.html", {
        "rows": rows, "form": form, "chosen": chosen,
        "communes": [(commune, counts.get(commune.insee_code, 0)) for commune in communes],
        "header_title": _("File de modération"),
    }, status=400 if form.is_bound and not form.is_valid() else 200)
