"""URLs of the public help center. Each page names its language first: ``/help/es/…``."""

from __future__ import annotations

from django.urls import path, register_converter

from atiende.web.help import views


class LanguageConverter:
    """A language code such as ``es`` or ``pt-br`` (never ``search`` or ``files``)."""

    regex = "[a-z]{2}(?:-[a-z0-9]{2,8})?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "lang")

urlpatterns = [
    path("help/", views.root, name="help-root"),
    path("help/files/<int:attachment_id>/", views.article_file, name="help-file"),
    path("help/<lang:lang>/", views.home, name="help-home"),
    path(
        "help/<lang:lang>/categories/<int:category_id>-<str:slug>/",
        views.category,
        name="help-category",
    ),
    path(
        "help/<lang:lang>/sections/<int:section_id>-<str:slug>/",
        views.section,
        name="help-section",
    ),
    path("help/<lang:lang>/articles/<int:article_id>/", views.article, name="help-article-id"),
    path(
        "help/<lang:lang>/articles/<int:article_id>-<str:slug>/",
        views.article,
        name="help-article",
    ),
    path(
        "help/<lang:lang>/articles/<int:article_id>/feedback/",
        views.feedback,
        name="help-feedback",
    ),
]
