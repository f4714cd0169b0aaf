"""URLs of the workspace area: customers and organizations."""

from __future__ import annotations

from django.urls import path

from atiende.web.customers import organizations, views

urlpatterns = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_new, name="customer-new"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer-edit"),
    path(
        "customers/<int:customer_id>/identities/",
        views.identity_add,
        name="customer-identity-add",
    ),
    path(
        "customers/<int:customer_id>/identities/<int:identity_id>/remove/",
        views.identity_remove,
        name="customer-identity-remove",
    ),
    path("customers/<int:customer_id>/merge/", views.merge_pick, name="customer-merge"),
    path(
        "customers/<int:customer_id>/merge/<int:source_id>/",
        views.merge_confirm,
        name="customer-merge-confirm",
    ),
    path("organizations/", organizations.organization_list, name="organizations"),
    path("organizations/new/", organizations.organization_new, name="organization-new"),
    path(
        "organizations/<int:organization_id>/",
        organizations.organization_detail,
        name="organization",
    ),
    path(
        "organizations/<int:organization_id>/edit/",
        organizations.organization_edit,
        name="organization-edit",
    ),
]
