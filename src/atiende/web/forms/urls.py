from django.urls import path

from atiende.web.forms import settings_views, views

app_name = "forms"

urlpatterns = [
    path("portal/new/", views.portal_new, name="portal-new"),
    path("forms/status/<str:token>/", views.status, name="status"),
    path("forms/<slug:slug>/", views.public_form, name="public"),
    path("settings/forms/", settings_views.forms_list, name="settings-forms"),
    path("settings/forms/<int:form_id>/", settings_views.form_edit, name="settings-form"),
    path(
        "settings/forms/<int:form_id>/delete/",
        settings_views.form_delete,
        name="settings-form-delete",
    ),
]
