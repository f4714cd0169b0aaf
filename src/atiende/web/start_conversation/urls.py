"""URL of the start-a-conversation page, under the customer it is about."""

from __future__ import annotations

from django.urls import path

from atiende.web.start_conversation import views

urlpatterns = [
    path(
        "customers/<int:customer_id>/start-conversation/",
        views.start_conversation,
        name="customer-start-conversation",
    ),
]
