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


class IdConverter:
    """A row id: at most 18 digits, so a longer number is a 404, never a database overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(LanguageConverter, "lang")
register_converter(IdConverter, "id")

urlpatterns = [
    path("help/", views.root, name="help-root"),
    path("help/files/<id:attachment_id>/", views.article_file, name="help-file"),
    path("help/<lang:lang>/", views.home, name="help-home"),
    path(
        "help/<lang:lang>/categories/<id:category_id>-<str:slug>/",
        views.category,
        name="help-category",
    ),
    path(
        "help/<lang:lang>/sections/<id:section_id>-<str:slug>/",
        views.section,
        name="help-section",
    ),
    path("help/<lang:lang>/articles/<id:article_id>/", views.article, name="help-article-id"),
    path(
        "help/<lang:lang>/articles/<id:article_id>-<str:slug>/",
        views.article,
        name="help-article",
    ),
    path(
        "help/<lang:lang>/articles/<id:article_id>/feedback/",
        views.feedback,
        name="help-feedback",
    ),
]
