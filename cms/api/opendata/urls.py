"""/opendata/: the open-data files and their DCAT catalogue (docs/opendata.md)."""

from django.urls import path, re_path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.jsonld", views.catalogue, name="catalogue"),
    re_path(r"^schemas/(?P<dataset>[a-z]+)\.json$", views.schema, name="schema"),
    re_path(r"^(?P<scope>[0-9A-Za-z-]{1,100})/(?P<dataset>[a-z]+)\.(?P<fmt>csv|json)$",
            views.dataset_file, name="file"),
]
