"""URLs of the workspace area: the knowledge-base editor."""

from __future__ import annotations

from django.urls import path

from atiende.web.kb import history_views, outline_views, views

urlpatterns = [
    path("kb/", views.article_list, name="kb-articles"),
    path("kb/new/", views.article_new, name="kb-article-new"),
    path("kb/review/", views.review_queue, name="kb-review"),
    path("kb/outline/", outline_views.outline, name="kb-outline"),
    path("kb/outline/<str:kind>/<int:pk>/", outline_views.outline_edit, name="kb-outline-edit"),
    path(
        "kb/outline/<str:kind>/<int:pk>/delete/",
        outline_views.outline_delete,
        name="kb-outline-delete",
    ),
    path("kb/articles/<int:translation_id>/", views.editor, name="kb-editor"),
    path("kb/articles/<int:translation_id>/action/", views.action, name="kb-action"),
    path("kb/articles/<int:translation_id>/translate/", views.translate, name="kb-translate"),
    path("kb/articles/<int:translation_id>/settings/", views.article_settings, name="kb-settings"),
    path("kb/articles/<int:translation_id>/files/", views.upload, name="kb-upload"),
    path("kb/articles/<int:translation_id>/history/", history_views.history, name="kb-history"),
    path(
        "kb/articles/<int:translation_id>/history/<int:number>/restore/",
        history_views.restore,
        name="kb-restore",
    ),
    path("kb/from-ticket/<int:ticket_id>/", views.draft_from_ticket, name="kb-from-ticket"),
]
