"""Phone calls into the desk: each step of a call (``contract.CallEvent``) moves its ``Call``
forward, and each step that matters does its one thing.

- **ringing** (or a first "answered" when the PBX never said it rang): the screen-pop to the
  staff of the line (``call_pop``);
- **answered**: the agent who took it, and the pop-ups say so;
- **ended**: the call log entry on the caller's open ticket on this line, else a new ticket
  "Call from …" (``call_log``); its recording downloaded and attached (``recordings``);
- **missed** (no answer, busy, cancelled): a callback ticket "Missed call from …", tagged
  ``callback`` (a caller who rings again unanswered is added to the same one);
- **recorded**: the recording's URL kept, downloaded once the call is logged.

The state only moves forward (``CALL_STATE_ORDER``): a step older than the call's state (a
late "ringing" after the hangup, the same callback twice) fills only what the call did not
know yet and repeats nothing. A step of a call never heard of creates the call from what it
says; one that says too little to be of use (a recording of an unknown call, an anonymous
caller's missed call) is kept with a reason, never raised. The caller is found or created as a
customer by a phone identity; an address that is no phone number (``anonymous``, a SIP
address) leaves the call without a customer, and so without a ticket, said in the reason.

Called by ``processing`` inside the payload's transaction; ``log_call`` is the same log
written by hand by an agent on a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Role, User
from atiende.accounts.services import find_or_create_customer_by_identity
from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.messaging.channels.contract import CallEvent
from atiende.messaging.channels.contract import CallState as Step
from atiende.messaging.channels.providers.phone import normalise_number
from atiende.messaging.channels.services import call_log, call_pop, recordings
from atiende.messaging.models import (
    CALL_STATE_ORDER,
    Call,
    CallDirection,
    CallState,
    ChannelAccount,
)
from atiende.messaging.models.calls import MAX_NUMBER
from atiende.messaging.models.channels import MAX_PROVIDER_ID

MIN_PHONE_DIGITS = 5  # a shorter "number" is an extension, matched only through the map
STEP_STATES = {
    Step.RINGING: CallState.RINGING,
    Step.ANSWERED: CallState.ANSWERED,
    Step.ENDED: CallState.ENDED,
    Step.MISSED: CallState.MISSED,
}


@dataclass(frozen=True)
class CallResult:
    """What one step did: ``written`` when the call changed; ``reason`` a line for the
    payload's record when something was left undone or the step changed nothing."""

    written: bool
    reason: str = ""


def write_call(actor: Actor, account: ChannelAccount, event: CallEvent) -> CallResult:
    """Apply one step of a call (see the module); never raises for what the step says."""
    call_id = event.call_id.strip()
    if not call_id or len(call_id) > MAX_PROVIDER_ID:
        raise Invalid.field(
            "call_id",
            _("The call id must be 1 to %(max)d characters.") % {"max": MAX_PROVIDER_ID},
        )
    call = _locked(account, call_id)
    if event.state is Step.RECORDED:
        return _recorded(account, call, call_id, event)
    created = call is None
    if call is None:
        call = _claim(account, call_id, event)
        if call is None:  # written a moment ago by another worker: theirs, locked
            call = _locked(account, call_id)
            assert call is not None
            created = False
    new_state = STEP_STATES[event.state]
    filled = _fill(call, event)
    customer = _customer(actor, call)
    if customer is not None and call.customer_id is None:
        call.customer = customer
        filled = True
    moves = created or CALL_STATE_ORDER[new_state] > CALL_STATE_ORDER[CallState(call.state)]
    if not moves:
        if filled:
            call.save()
            return CallResult(True)
        return CallResult(
            False,
            _("Call %(call)s is already %(state)s: a late or repeated “%(step)s” changed nothing.")
            % {"call": call_id, "state": call.get_state_display().lower(), "step": event.state},
        )
    was_ringing = not created and call.state == CallState.RINGING
    call.state = new_state
    at = event.at or timezone.now()
    reason = ""
    if new_state == CallState.RINGING:
        call.started_at = call.started_at or at
        call.save()
        _pop(call, customer)
    elif new_state == CallState.ANSWERED:
        call.answered_at = call.answered_at or at
        call.started_at = call.started_at or at
        call.save()
        if created:
            _pop(call, customer)
        elif was_ringing:
            call_pop.tell_update(call)
    else:
        reason = _finish(actor, call, customer, event, at, was_ringing=was_ringing)
    return CallResult(True, reason)


def _locked(account: ChannelAccount, call_id: str) -> Call | None:
    return (
        Call.objects.select_for_update(of=("self",))
        .select_related("agent", "customer", "account")
        .filter(account=account, provider_call_id=call_id)
        .first()
    )


def _claim(account: ChannelAccount, call_id: str, event: CallEvent) -> Call | None:
    """A new call row, written at once (a concurrent copy of the step waits, then finds it)."""
    call = Call(
        account=account,
        provider_call_id=call_id,
        state=CallState.RINGING,
        direction=_direction(event),
    )
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        return None
    return call


def _direction(event: CallEvent) -> str:
    return CallDirection.OUTBOUND if event.direction == "outbound" else CallDirection.INBOUND


def _fill(call: Call, event: CallEvent) -> bool:
    """What the call did not know yet, from this step (never overwriting what it knew)."""
    changed = False
    for name, value in (
        ("caller", event.caller),
        ("called", event.called),
        ("agent_address", event.agent),
    ):
        value = value.strip()[:MAX_NUMBER]
        if value and not getattr(call, name):
            setattr(call, name, value)
            changed = True
    if call.agent_id is None and call.agent_address:
        agent = match_agent(call.account, call.agent_address)
        if agent is not None:
            call.agent = agent
            changed = True
    at = event.at
    if at is not None:
        if event.state is Step.RINGING and call.started_at is None:
            call.started_at, changed = at, True
        if event.state is Step.ANSWERED and call.answered_at is None:
            call.answered_at, changed = at, True
    if event.recording_url and not call.recording_url:
        call.recording_url, changed = event.recording_url, True
        recordings.request_download(call)
    return changed


def match_agent(account: ChannelAccount | None, address: str) -> User | None:
    """The active staff member the PBX names: by email; else by the account's extension map
    (setting ``agent_extensions``: ``201=ana@example.com, 202=luis@example.com``); else by the
    number in their profile's phone field. Twilio's ``client:NAME`` arrives here as ``NAME``."""
    value = address.strip()
    if not value:
        return None
    staff = User.objects.filter(is_active=True, role__in=(Role.AGENT, Role.ADMIN))
    email = value if "@" in value else extensions(account).get(value, "")
    if email:
        return staff.filter(email__iexact=email).order_by("pk").first()
    number = normalise_number(value)
    if sum(ch.isdecimal() for ch in number) < MIN_PHONE_DIGITS:
        return None
    for pk, phone in staff.exclude(phone="").order_by("pk").values_list("pk", "phone"):
        if normalise_number(phone) == number:
            return staff.get(pk=pk)
    return None


def extensions(account: ChannelAccount | None) -> dict[str, str]:
    """The account's ``agent_extensions`` setting as {extension: email}."""
    raw = account.settings.get("agent_extensions", "") if account is not None else ""
    if not isinstance(raw, str):
        return {}
    found = {}
    for pair in raw.replace(";", ",").replace("\n", ",").split(","):
        extension, _sep, email = pair.partition("=")
        if extension.strip() and "@" in email:
            found[extension.strip()] = email.strip()
    return found


def _customer(actor: Actor, call: Call) -> User | None:
    """The customer on the other end, found or created by their phone identity; ``None`` for
    an address that is no phone number (anonymous, a SIP address, a client name)."""
    if call.customer_id is not None:
        return call.customer
    number = call_log.customer_number(call)
    if not number:
        return None
    try:
        return find_or_create_customer_by_identity(
            actor, channel="phone", address=number, field="caller"
        )
    except Invalid:
        return None


def _pop(call: Call, customer: User | None) -> None:
    if call.direction == CallDirection.INBOUND:
        call_pop.pop_up(call, customer)


def _finish(
    actor: Actor,
    call: Call,
    customer: User | None,
    event: CallEvent,
    at: datetime,
    *,
    was_ringing: bool,
) -> str:
    """The call ended or was missed: logged on a ticket; the reason when it could not be."""
    call.ended_at = call.ended_at or at
    if call.state == CallState.ENDED:
        duration = event.duration
        if not duration and call.answered_at is not None and call.ended_at > call.answered_at:
            duration = int((call.ended_at - call.answered_at).total_seconds())
        call.duration = duration
    call.save()
    if was_ringing or call.answered_at is not None:
        call_pop.tell_update(call)
    if customer is None:
        return _(
            "Call %(call)s: the caller “%(number)s” is not a phone number, so no ticket was opened."
        ) % {
            "call": call.provider_call_id,
            "number": call_log.customer_number(call) or _("unknown"),
        }
    if not customer.is_active:
        return _("Call %(call)s: the caller %(number)s is suspended, so no ticket.") % {
            "call": call.provider_call_id,
            "number": call_log.customer_number(call),
        }
    call_log.write_log(actor, call, customer)
    call.save()
    recordings.request_download(call)
    return ""


def _recorded(
    account: ChannelAccount, call: Call | None, call_id: str, event: CallEvent
) -> CallResult:
    """A recording is ready: kept on the call, downloaded once the call is logged."""
    url = event.recording_url.strip()
    if not url:
        return CallResult(False, _("A recording with no URL: nothing to attach."))
    if call is None:
        # Twilio may tell the recording before the call's end: keep it for then.
        call = _claim(account, call_id, event) or _locked(account, call_id)
        assert call is not None
        call.state = CallState.ANSWERED
    if call.recording_url:
        return CallResult(False, _("Call %(call)s already has its recording.") % {"call": call_id})
    call.recording_url = url
    call.save()
    recordings.request_download(call)
    return CallResult(True)
