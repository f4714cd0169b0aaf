from django.urls import path

from atiende.messaging.channels.file_links import URL_NAME
from atiende.web.channelfiles import views

urlpatterns = [
    path("files/<str:token>/<str:filename>", views.channel_file, name=URL_NAME),
]
