import functools

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import path

from cms.core.ratelimit import address_bucket, client_address, rate_limit_hit

from . import views_activitypub as ap


def federation_edge(view):
    """`view` counted against FEDERATION_RATE_PER_MINUTE of its client's address, its
    "not found" answered in JSON as the rest of the federation's errors."""

    @functools.wraps(view)
    def edge(request, *args, **kwargs):
        decision = rate_limit_hit(scope="federation",
                                  who=address_bucket(client_address(request)),
                                  limit=settings.FEDERATION_RATE_PER_MINUTE, window_seconds=60)
        if not decision.allowed:
            response = JsonResponse({"error": "too many requests from this address"},
                                    status=429)
            response["Retry-After"] = str(decision.retry_after)
            return response
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"error": "not found"}, status=404)

    return edge


urlpatterns = [
    path(".well-known/webfinger", ap.webfinger, name="federation-webfinger"),
    path(".well-known/nodeinfo", ap.nodeinfo_links, name="federation-nodeinfo-links"),
    path("nodeinfo/2.1", ap.nodeinfo, name="federation-nodeinfo"),
    path("ap/inbox", ap.shared_inbox, name="federation-shared-inbox"),
    path("ap/actor", ap.instance_actor, name="federation-instance-actor"),
    path("ap/communes/<slug:slug>", ap.actor, name="federation-actor"),
    path("ap/communes/<slug:slug>/avatar.png", ap.avatar, name="federation-avatar"),
    path("ap/communes/<slug:slug>/header.png", ap.header, name="federation-header"),
    path("ap/communes/<slug:slug>/inbox", ap.inbox, name="federation-inbox"),
    path("ap/communes/<slug:slug>/outbox", ap.outbox, name="federation-outbox"),
    path("ap/communes/<slug:slug>/followers", ap.followers, name="federation-followers"),
    path("ap/communes/<slug:slug>/following", ap.following, name="federation-following"),
    path("ap/objects/<id:page_id>", ap.ap_object, name="federation-object"),
    path("ap/activities/<uuid:activity_uuid>", ap.ap_activity, name="federation-activity"),
]

for _pattern in urlpatterns:
    _pattern.callback = federation_edge(_pattern.callback)
