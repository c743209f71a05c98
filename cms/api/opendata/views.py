"""Serve the stored open-data files (never built here: build.py, run by the worker)."""

import json

from django.http import Http404, HttpResponse, JsonResponse

from cms.readmodel.selectors import commune_find

from .build import MEDIA_TYPES, PLATFORM, ROOT, file_path, read
from .datasets import dataset_named

CACHE = "public, max-age=300"


def _stored(path: str, content_type: str) -> HttpResponse:
    content = read(path)
    if content is None:
        raise Http404("Not built yet.")
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


def catalogue(request):
    return _stored(f"{ROOT}/catalog.jsonld", "application/ld+json; charset=utf-8")


def schema(request, dataset: str):
    found = dataset_named(dataset)
    if found is None:
        raise Http404
    response = JsonResponse(found.schema(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


def dataset_file(request, scope: str, dataset: str, fmt: str):
    """/opendata/<INSEE, slug or all>/<dataset>.<csv|json>."""
    if dataset_named(dataset) is None or fmt not in MEDIA_TYPES:
        raise Http404
    if scope != PLATFORM:
        commune = commune_find(insee_or_slug=scope)
        if commune is None:
            raise Http404
        scope = commune.insee
    response = _stored(file_path(scope, f"{dataset}.{fmt}"),
                       f"{MEDIA_TYPES[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{scope}-{dataset}.{fmt}"'
    return response


def index(request):
    """What is published, as links (a human's entry point; harvesters read the catalogue)."""
    raw = read(f"{ROOT}/catalog.jsonld")
    if raw is None:
        raise Http404("Not built yet.")
    catalogue_data = json.loads(raw)
    return JsonResponse({
        "catalogue": catalogue_data["@id"],
        "license": catalogue_data["dct:license"],
        "datasets": [{"title": entry["dct:title"],
                      "files": [d["dcat:downloadURL"] for d in entry["dcat:distribution"]]}
                     for entry in catalogue_data["dcat:dataset"]],
    }, json_dumps_params={"ensure_ascii": False})
