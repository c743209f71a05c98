"""At the site's root, outside the language prefixes: the worker's scope is "/"."""

from django.urls import path

from . import pwa

urlpatterns = [
    path("sw.js", pwa.service_worker, name="notify-service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="notify-manifest"),
]
