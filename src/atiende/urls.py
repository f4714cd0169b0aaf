from django.contrib import admin
from django.urls import include, path

from atiende.api.router import api

urlpatterns = [
    # First: providers post hundreds of webhooks a second, each resolved before anything else.
    path("hooks/", include("atiende.web.hooks.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("atiende.web.urls")),
]

# Error pages inside the workspace, translated (atiende.web.errors).
handler403 = "atiende.web.errors.forbidden"
handler404 = "atiende.web.errors.not_found"
handler500 = "atiende.web.errors.server_error"
