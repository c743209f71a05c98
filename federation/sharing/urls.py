from django.urls import path

from . import views

app_name = "federation_sharing"

urlpatterns = [
    path("", views.index, name="index"),
    path("<id:commune_id>/", views.queue, name="queue"),
    path("<id:commune_id>/decide/", views.decide, name="decide"),
    path("<id:commune_id>/rules/", views.rules, name="rules"),
    path("<id:commune_id>/outgoing/", views.outgoing, name="outgoing"),
    path("page/<id:page_id>/", views.page_report, name="page"),
]
