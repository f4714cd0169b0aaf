from django.urls import path

from atiende.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
