"""Resident-site views outside the page tree; included at the root before Wagtail."""

from django.urls import path

from . import views

app_name = "frontend"

urlpatterns = [
    path("recherche/", views.search, name="search"),
    path("recherche/suggestions/", views.suggest, name="suggest"),
    path("proposer/", views.contribute, name="contribute"),
    path("proposer/merci/", views.contribute_thanks, name="contribute-thanks"),
    path("agenda/evenement-<id:pk>.ics", views.event_ics, name="event-ics"),
]
