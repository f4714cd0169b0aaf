"""The chat widget's own HTTP endpoints, called from the sites that embed it (CORS)."""

from django.urls import path

from atiende.web.chat import views

urlpatterns = [
    path("chat/<str:public_id>/config/", views.widget_config, name="chat-config"),
    path("chat/<str:public_id>/upload/", views.upload, name="chat-upload"),
]
