from django.urls import path

from . import views_activitypub as ap

urlpatterns = [
    path(".well-known/webfinger", ap.webfinger, name="federation-webfinger"),
    path(".well-known/nodeinfo", ap.nodeinfo_links, name="federation-nodeinfo-links"),
    path("nodeinfo/2.1", ap.nodeinfo, name="federation-nodeinfo"),
    path("ap/inbox", ap.shared_inbox, name="federation-shared-inbox"),
    path("ap/communes/<slug:slug>", ap.actor, name="federation-actor"),
    path("ap/communes/<slug:slug>/inbox", ap.inbox, name="federation-inbox"),
    path("ap/communes/<slug:slug>/outbox", ap.outbox, name="federation-outbox"),
    path("ap/communes/<slug:slug>/followers", ap.followers, name="federation-followers"),
    path("ap/communes/<slug:slug>/following", ap.following, name="federation-following"),
    path("ap/objects/<id:page_id>", ap.ap_object, name="federation-object"),
    path("ap/activities/<uuid:activity_uuid>", ap.ap_activity, name="federation-activity"),
]
