from django.urls import path

from . import views

app_name = "federation_sharing"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:commune_id>/", views.queue, name="queue"),
    path("<int:commune_id>/decide/", views.decide, name="decide"),
    path("<int:commune_id>/rules/", views.rules, name="rules"),
    path("<int:commune_id>/outgoing/", views.outgoing, name="outgoing"),
    path("page/<int:page_id>/", views.page_report, name="page"),
]
