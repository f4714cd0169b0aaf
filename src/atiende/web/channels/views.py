"""Channel account settings (admins): list, create per provider, edit, rotate the webhook
key, enable or disable, delete one that never received anything."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atiende.core.errors import AtiendeError
from atiende.messaging.channels import registry, selectors, services
from atiende.messaging.channels.account_fields import PROVIDER_FIELDS, ProviderFields
from atiende.messaging.models import ChannelAccount, ChannelProvider
from atiende.web.channels.forms import ChannelAccountForm, apply_account_errors
from atiende.web.common import actor
from atiende.web.setup.common import cursor_of, page, settings_view
from atiende.web.setup.record_actions import RecordActions, group_choices

SECTION = "channels"


def _spec(provider: str) -> ProviderFields:
    spec = registry.account_fields(provider)
    if spec is None:
        raise Http404
    return spec


def providers() -> list[tuple[str, str]]:
    """The providers an admin can add an account of, with their names."""
    names = dict(ChannelProvider.choices)
    return [(value, str(names.get(value, value))) for value in PROVIDER_FIELDS]


@settings_view
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    found = selectors.list_accounts(actor(request), cursor=cursor_of(request))
    context = {"section": SECTION, "page": found, "providers": providers()}
    return render(request, "web/channels/accounts.html", context)


@settings_view
@require_GET
def account_new(request: HttpRequest) -> HttpResponse:
    """Choose the provider of the new account."""
    context = {"section": SECTION, "providers": providers()}
    return render(request, "web/channels/new.html", context)


@settings_view
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest, provider: str) -> HttpResponse:
    spec = _spec(provider)
    form = ChannelAccountForm(request.POST or None, spec=spec, groups=group_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_account(
                actor(request), provider=provider, check_fields=True, **form.service_data()
            )
        except AtiendeError as error:
            apply_account_errors(form, error)
        else:
            messages.success(
                request, _("Channel account created. Give the provider its webhook URL below.")
            )
            return redirect("channels-account", account_id=created.pk)
    context = {
        "section": SECTION,
        "form": form,
        "account": None,
        "provider": provider,
        "provider_name": dict(providers()).get(provider, provider),
        "spec": spec,
    }
    return page(request, "web/channels/account.html", context, form=form)


@settings_view
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, account_id: int) -> HttpResponse:
    caller = actor(request)
    account = selectors.get_account(caller, account_id)
    spec = _spec(account.provider)
    form = ChannelAccountForm(
        request.POST or None,
        initial=ChannelAccountForm.initial_for(account, spec),
        spec=spec,
        groups=group_choices(request),
        stored_secrets=selectors.secret_names(account),
    )
    if request.method == "POST" and form.is_valid():
        stored = account.settings if isinstance(account.settings, dict) else {}
        kept = {k: str(v) for k, v in stored.items() if k not in spec.names}
        try:
            services.update_account(
                caller,
                account_id=account.pk,
                changes=form.service_data(kept_settings=kept),
                check_fields=True,
            )
        except AtiendeError as error:
            apply_account_errors(form, error)
        else:
            messages.success(request, _("Channel account saved."))
            return redirect("channels-account", account_id=account.pk)
    return page(request, "web/channels/account.html", _context(account, spec, form), form=form)


def _context(
    account: ChannelAccount, spec: ProviderFields, form: ChannelAccountForm
) -> dict[str, Any]:
    return {
        "section": SECTION,
        "form": form,
        "account": account,
        "provider": account.provider,
        "provider_name": account.get_provider_display(),
        "spec": spec,
        "webhook_url": selectors.webhook_url(account),
    }


@settings_view
@require_POST
def account_rotate(request: HttpRequest, account_id: int) -> HttpResponse:
    services.rotate_webhook_key(actor(request), account_id=account_id)
    messages.success(
        request,
        _("New webhook URL made; the old one stopped working. Give the provider the new one now."),
    )
    return redirect("channels-account", account_id=account_id)


ACTIONS = RecordActions(
    id_arg="account_id",
    page="channels-account",
    listing="channels-accounts",
    switched_on=gettext_lazy("The account is active: its webhook accepts requests again."),
    switched_off=gettext_lazy("The account is inactive: its webhook answers 404."),
    deleted=gettext_lazy("Channel account deleted."),
)
account_active = ACTIONS.switch_view(
    lambda caller, pk, active: services.update_account(
        caller, account_id=pk, changes={"active": active}
    ),
    "Enable (``active=1``) or disable the account.",
)
account_delete = ACTIONS.delete_view(
    lambda caller, pk: services.delete_account(caller, account_id=pk)
)
