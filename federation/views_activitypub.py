"""ActivityPub, WebFinger and NodeInfo endpoints: thin, the work is in activitypub/."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cms.communes.models import CommuneHomePage

from .activitypub import outbound
from .activitypub.fetch_auth import signed_fetch
from .activitypub.inbox import InboxRejectedError, inbox_accept
from .activitypub.signatures import SignedRequest
from .activitypub.wire import AS_CONTEXT, AS_PUBLIC, host_of

AP_CONTENT_TYPE = "application/activity+json"


def _ap(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, content_type=AP_CONTENT_TYPE,
                            json_dumps_params={"ensure_ascii": False})
    response["Vary"] = "Accept"
    return response


def _local_commune(slug: str) -> CommuneHomePage:
    from wagtail.models import Locale

    return get_object_or_404(CommuneHomePage, slug=slug, origin_server="", live=True,
                             locale=Locale.get_default())


def _wants_html(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "json" not in accept


@require_GET
def webfinger(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "")
    our_host = host_of(settings.FEDERATION_BASE_URL)
    slug = ""
    if resource.startswith("acct:") and "@" in resource:
        user, _, host = resource[5:].rpartition("@")
        if host.lower() != our_host:
            raise Http404("not this server")
        slug = user
    elif resource == outbound.instance_actor_url():
        slug = outbound.instance_actor_username()
    elif resource.startswith(f"{settings.FEDERATION_BASE_URL}/ap/communes/"):
        slug = resource.rsplit("/", 1)[-1]
    if slug.lower() == outbound.instance_actor_username().lower():
        return _webfinger_answer(f"acct:{slug}@{our_host}", outbound.instance_actor_url(),
                                 settings.FEDERATION_BASE_URL)
    if not slug:
        return JsonResponse({"error": "resource must be acct:<commune>@" + our_host}, status=400)
    commune = _local_commune(slug)
    actor = outbound.actor_url(commune)
    return _webfinger_answer(f"acct:{commune.slug}@{our_host}", actor,
                             commune.get_full_url() or actor)


def _webfinger_answer(subject: str, actor: str, profile: str) -> HttpResponse:
    data = {
        "subject": subject,
        "aliases": [actor, profile],
        "links": [
            {"rel": "self", "type": AP_CONTENT_TYPE, "href": actor},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": profile},
        ],
    }
    response = JsonResponse(data, content_type="application/jrd+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def nodeinfo_links(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
        "href": f"{settings.FEDERATION_BASE_URL}/nodeinfo/2.1",
    }]})


@require_GET
def nodeinfo(request: HttpRequest) -> JsonResponse:
    from cms.communes.selectors import commune_list
    from cms.readmodel.models import PublishedItem

    communes = commune_list().count()
    local_posts = PublishedItem.objects.filter(origin_server="").count()
    return JsonResponse({
        "version": "2.1",
        "software": {"name": "clocher", "version": "1.0.0",
                     "repository": "https://example.invalid/clocher",
                     "homepage": settings.FEDERATION_BASE_URL},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": False,
        "usage": {"users": {"total": communes, "activeMonth": communes,
                            "activeHalfyear": communes},
                  "localPosts": local_posts},
        "metadata": {"nodeName": "Clocher", "kind": "communes"},
    }, content_type='application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"')


@require_GET
def instance_actor(request: HttpRequest) -> HttpResponse:
    return _ap(outbound.instance_actor_to_ap())


@require_GET
def actor(request: HttpRequest, slug: str) -> HttpResponse:
    commune = _local_commune(slug)
    if _wants_html(request) and commune.get_full_url():
        return HttpResponseRedirect(commune.get_full_url())
    return _ap(outbound.commune_to_ap(commune))


def _commune_picture(slug: str, *, header: bool) -> HttpResponse:
    from .activitypub.presentation import default_image_png

    commune = _local_commune(slug)
    response = HttpResponse(default_image_png(name=commune.title, slug=commune.slug,
                                              header=header), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def avatar(request: HttpRequest, slug: str) -> HttpResponse:
    return _commune_picture(slug, header=False)


@require_GET
def header(request: HttpRequest, slug: str) -> HttpResponse:
    return _commune_picture(slug, header=True)


def _signed_request(request: HttpRequest, body: bytes) -> SignedRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = request.get_host()  # validated against ALLOWED_HOSTS
    return SignedRequest(method=request.method or "POST", path=request.get_full_path(),
                         headers=headers, body=body, url=request.build_absolute_uri())


def _receive(request: HttpRequest, commune: CommuneHomePage | None) -> HttpResponse:
    limit = settings.FEDERATION_INBOX_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        return JsonResponse({"error": "body too large"}, status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        return JsonResponse({"error": "body too large"}, status=413)
    try:
        accepted = inbox_accept(request=_signed_request(request, body), commune=commune)
    except InboxRejectedError as error:
        return JsonResponse({"error": error.reason}, status=error.status)
    return JsonResponse({"status": "duplicate" if accepted.duplicate else "accepted"},
                        status=202)


@csrf_exempt
@require_POST
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        commune = _local_commune(slug)
    except Http404:
        return JsonResponse({"error": "no such commune"}, status=404)
    return _receive(request, commune)


@csrf_exempt
@require_POST
def shared_inbox(request: HttpRequest) -> HttpResponse:
    return _receive(request, None)


@require_GET
@signed_fetch
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    """The commune's public items in pages, newest first (activitypub/backfill.py)."""
    from .activitypub.backfill import outbox_collection, outbox_page

    commune = _local_commune(slug)
    number = request.GET.get("page", "")
    if not number:
        return _ap(outbox_collection(commune=commune))
    if not number.isdigit() or not 1 <= int(number) <= 100_000:
        return JsonResponse({"error": "page must be a number from 1"}, status=400)
    return _ap(outbox_page(commune=commune, number=int(number)))


@require_GET
@signed_fetch
def followers(request: HttpRequest, slug: str) -> HttpResponse:
    from .models import Follow, FollowDirection, FollowState

    commune = _local_commune(slug)
    total = Follow.objects.filter(commune=commune, direction=FollowDirection.INBOUND,
                                  state=FollowState.ACCEPTED).count()
    # Only the count: who follows a commune is not published.
    return _ap({"@context": AS_CONTEXT, "id": f"{outbound.actor_url(commune)}/followers",
                "type": "OrderedCollection", "totalItems": total})


@require_GET
@signed_fetch
def following(request: HttpRequest, slug: str) -> HttpResponse:
    commune = _local_commune(slug)
    return _ap({"@context": AS_CONTEXT, "id": f"{outbound.actor_url(commune)}/following",
                "type": "OrderedCollection", "totalItems": 0, "orderedItems": []})


@require_GET
@signed_fetch
def ap_object(request: HttpRequest, page_id: int) -> HttpResponse:
    from wagtail.models import Page

    from .activitypub.outbox import _federated_commune
    from .models import LocalTombstone

    ap_id = outbound.object_url(page_id)
    tombstone = LocalTombstone.objects.filter(ap_id=ap_id).first()
    if tombstone is not None:
        return _ap(outbound.tombstone_to_ap(ap_id, tombstone.former_type, tombstone.deleted_at),
                   status=410)
    page = Page.objects.filter(pk=page_id, live=True).first()
    page = page.specific if page else None
    if page is None or _federated_commune(page) is None:
        raise Http404
    if _wants_html(request) and page.get_full_url():
        return HttpResponseRedirect(page.get_full_url())
    return _ap({"@context": AS_CONTEXT, **outbound.page_to_ap(page)})


@require_GET
@signed_fetch
def ap_activity(request: HttpRequest, activity_uuid) -> HttpResponse:
    from .models import OutboxActivity

    row = get_object_or_404(
        OutboxActivity, ap_id=f"{settings.FEDERATION_BASE_URL}/ap/activities/{activity_uuid}")
    if AS_PUBLIC not in row.activity.get("to", []):
        raise Http404
    return HttpResponse(json.dumps(row.activity, ensure_ascii=False),
                        content_type=AP_CONTENT_TYPE)
