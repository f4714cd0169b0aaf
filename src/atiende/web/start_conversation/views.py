"""An agent writes first to a customer on SMS or WhatsApp (``channels.services.starting``).

The page lists every messaging identity of the customer: those a conversation can start on
(one choice per active account of a group the agent works in) and those it cannot, with the
reason (Telegram and Meta's pages must be written to first, an account without templates …).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from atiende.core.errors import AtiendeError
from atiende.messaging.channels.services import starting
from atiende.web.common import actor, staff_required
from atiende.web.customers.views import get_customer

MAX_BODY = 4000
# The service's fields as this form names them.
FORM_FIELDS = {
    "account_id": "offer",
    "identity_id": "offer",
    "template": "template",
    "body": "body",
}


class StartForm(forms.Form):
    offer = forms.ChoiceField(label=gettext_lazy("Write on"), widget=forms.RadioSelect)
    template = forms.ChoiceField(
        label=gettext_lazy("Approved WhatsApp template"),
        required=False,
        help_text=gettext_lazy(
            "WhatsApp lets a business write first only with a template; its values are the "
            "lines of the message."
        ),
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        required=False,
        max_length=starting.MAX_SUBJECT,
        help_text=gettext_lazy("For the ticket; the customer does not see it."),
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, offers: list[starting.Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [offer for offer in offers if offer.allowed]
        offer_field = self.fields["offer"]
        assert isinstance(offer_field, forms.ChoiceField)
        offer_field.choices = [(offer.value, offer.label) for offer in allowed]
        templates = [
            (template.value, f"{offer.account.name} · {template.name} ({template.language})")
            for offer in allowed
            if offer.account is not None
            for template in offer.templates
        ]
        template_field = self.fields["template"]
        assert isinstance(template_field, forms.ChoiceField)
        template_field.choices = [("", _("None: free text")), *dict.fromkeys(templates)]
        if not templates:
            del self.fields["template"]


@staff_required
@require_http_methods(["GET", "POST"])
def start_conversation(request: HttpRequest, customer_id: int) -> HttpResponse:
    who = actor(request)
    customer = get_customer(who, customer_id)
    offers = starting.offers(who, customer)
    initial = {"offer": request.GET.get("offer", "")}
    form = StartForm(request.POST or None, offers=offers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next(offer for offer in offers if offer.value == data["offer"])
        assert chosen.account is not None
        try:
            message = starting.start_conversation(
                who,
                customer_id=customer.pk,
                account_id=chosen.account.pk,
                identity_id=chosen.identity.pk,
                body=data["body"],
                subject=data["subject"],
                template=data.get("template") or "",
            )
        except AtiendeError as error:
            _show(form, error)
        else:
            messages.success(request, _("Conversation started: the message is on its way."))
            return redirect(reverse("ticket", args=[message.ticket_id]))
    context = {
        "customer": customer,
        "form": form,
        "allowed": [offer for offer in offers if offer.allowed],
        "refused": [offer for offer in offers if not offer.allowed],
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "web/start_conversation/start.html", context, status=status)


def _show(form: StartForm, error: AtiendeError) -> None:
    """The service's field errors beside their inputs; the rest above the form."""
    placed = False
    for item in error.errors:
        name = FORM_FIELDS.get(item.field.split(".")[0], "")
        if name in form.fields:
            form.add_error(name, str(item.message))
            placed = True
    if not placed:
        form.add_error(None, str(error.detail))
