"""The communicator's view of an alert's notifications (Wagtail admin): reach per
channel, delivery counts, the SMS spent this month, and a resend of failures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from cms.communes.models import CommuneHomePage
from cms.content.models import AlertPage
from cms.core.locales import default_locale

from .channels.sms import sms_sent_this_month
from .delivery import deliveries_retry
from .fanout import item_communes
from .models import DeliveryState
from .selectors import alert_reach, delivery_counts, delivery_failures

MAX_ID = 2**63 - 1


def _editable_page(request, page_id: int) -> Page:
    if page_id > MAX_ID:
        raise Http404
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def _source_commune(page: Page) -> CommuneHomePage | None:
    commune = CommuneHomePage.objects.ancestor_of(page, inclusive=True).first()
    if commune is None:
        return None
    return commune.get_translation_or_none(default_locale()) or commune


def _reach_communes(page: Page) -> list[int]:
    if isinstance(page, AlertPage) and page.live:
        communes = item_communes(page.translation_key)
        if communes:
            return communes
    commune = _source_commune(page)
    return [commune.pk] if commune else []


@require_GET
def report(request, page_id: int):
    page = _editable_page(request, page_id)
    if not isinstance(page, AlertPage):
        raise Http404
    commune = _source_commune(page)
    counts = delivery_counts(translation_key=page.translation_key)
    return TemplateResponse(request, "notify/admin/report.html", {
        "page": page, "commune": commune,
        "reach": alert_reach(commune_ids=_reach_communes(page), severity=page.severity),
        "counts": [(channel, counts[channel]) for channel in counts],
        "states": DeliveryState, "failures": delivery_failures(
            translation_key=page.translation_key),
        "sms_sent": sms_sent_this_month(commune_id=commune.pk) if commune else 0,
    })


@require_POST
def resend(request, page_id: int):
    page = _editable_page(request, page_id)
    count = deliveries_retry(translation_key=page.translation_key)
    messages.success(request, _("%(count)d envoi(s) en échec remis en file.") % {"count": count})
    return redirect("notify_admin:report", page_id=page.pk)


@require_GET
def reach(request, page_id: int):
    """JSON for the editor's confirmation before an urgent alert is published."""
    page = _editable_page(request, page_id)
    try:
        severity = int(request.GET.get("severity", getattr(page, "severity", 1)))
    except ValueError:
        severity = 1
    commune_ids = _reach_communes(page)
    found = alert_reach(commune_ids=commune_ids, severity=severity)
    return JsonResponse({"email": found.email, "push": found.push, "sms": found.sms,
                         "sms_sent_this_month": sms_sent_this_month(
                             commune_id=commune_ids[0]) if commune_ids else 0})
