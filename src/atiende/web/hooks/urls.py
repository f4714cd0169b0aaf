from django.urls import path

from atiende.web.hooks import views

app_name = "hooks"

urlpatterns = [
    path("<str:webhook_key>/", views.webhook, name="webhook"),  # under /hooks/ (atiende.urls)
]
