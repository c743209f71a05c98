"""Residents' subscriptions (included under the language prefix by cms/urls.py)."""

from django.urls import path

from . import pwa, views

app_name = "notify"

urlpatterns = [
    path("abonnement/", views.subscribe, name="subscribe"),
    path("abonnement/envoye/", views.sent, name="sent"),
    path("abonnement/push/", views.push_subscribe, name="push-subscribe"),
    path("abonnement/confirmer/<str:token>/", views.confirm, name="confirm"),
    path("abonnement/gerer/<str:token>/", views.manage, name="manage"),
    path("abonnement/gerer/<str:token>/export.json", views.export, name="export"),
    path("abonnement/gerer/<str:token>/supprimer/", views.delete, name="delete"),
    path("abonnement/gerer/<str:token>/sms/", views.phone, name="phone"),
    path("abonnement/supprime/", views.deleted, name="deleted"),
    path("abonnement/desinscription/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("hors-ligne/", pwa.offline, name="offline"),
]
