"""The agent workspace. Each area owns its URLs, views, templates and tests."""

from django.urls import include, path

from atiende.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("atiende.web.signin.urls")),
    path("inbox/", include("atiende.web.inbox.urls")),
    path("", include("atiende.web.ticket.urls")),
    path("", include("atiende.web.customers.urls")),
    path("", include("atiende.web.search.urls")),
    path("", include("atiende.web.setup.urls")),
    path("", include("atiende.web.mail.urls")),
    path("", include("atiende.web.account.urls")),
    path("", include("atiende.web.notifications.urls")),
    path("", include("atiende.web.pwa.urls")),
    path("", include("atiende.web.surveys.urls")),
    path("", include("atiende.web.help.urls")),
    path("", include("atiende.web.kbreport.urls")),
    path("", include("atiende.web.kb.urls")),
    path("", include("atiende.web.portal.urls")),
    path("", include("atiende.web.forms.urls")),
    path("", include("atiende.web.kbsearch.urls")),
    path("", include("atiende.web.chat.urls")),
    path("", include("atiende.web.channels.urls")),
    path("", include("atiende.web.chatwidgets.urls")),
    path("", include("atiende.web.channelfiles.urls")),
    path("", include("atiende.web.start_conversation.urls")),
]
