"""URLs of the installable app: at the root, so the service worker's scope is the whole site."""

from __future__ import annotations

from django.urls import path

from atiende.web.pwa import views

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
]
