"""The chat widget's own HTTP endpoints, called from the sites that embed it (CORS)."""

from django.urls import path

from atiende.messaging.chat.file_links import URL_NAME as FILE_URL_NAME
from atiende.web.chat import views

urlpatterns = [
    path("chat/<str:public_id>/config/", views.widget_config, name="chat-config"),
    path("chat/<str:public_id>/upload/", views.upload, name="chat-upload"),
    path("chat/files/<str:token>/<str:filename>", views.chat_file, name=FILE_URL_NAME),
]
