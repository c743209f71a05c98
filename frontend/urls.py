"""Resident-site views outside the page tree; included at the root before Wagtail."""

from django.urls import path

from . import views, views_identity

app_name = "frontend"

urlpatterns = [
    path("recherche/", views.search, name="search"),
    path("recherche/suggestions/", views.suggest, name="suggest"),
    path("proposer/", views.contribute, name="contribute"),
    path("proposer/merci/", views.contribute_thanks, name="contribute-thanks"),
    path("agenda/evenement-<id:pk>.ics", views.event_ics, name="event-ics"),
    path("identite/<str:insee>.css", views_identity.identity_stylesheet,
         name="identity-css"),
    path("identite/<str:insee>.json", views_identity.identity_json, name="identity-json"),
    path("identite/<str:insee>/monogramme.svg", views_identity.identity_monogram,
         name="identity-monogram"),
    path("identite/<str:insee>/manifest.webmanifest", views_identity.identity_manifest,
         name="identity-manifest"),
    path("affiche/<id:pk>/", views_identity.poster, name="poster"),
]
