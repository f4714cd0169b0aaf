"""Auto-replies: the out-of-hours answer and announcements ride in the acknowledgement, in the
customer's language, never to automatic mail and at most once per customer per window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from atiende.automation import business_hours
from atiende.automation.autoreplies.services import (
    create_announcement,
    delete_announcement,
    update_announcement,
)
from atiende.automation.models import Announcement
from atiende.core.errors import Forbidden, Invalid
from atiende.messaging.models import Mailbox, OutboundEmail, OutboundKind
from atiende.messaging.outbound import compose
from atiende.sla.services.calendars import create_calendar
from tests.factories import SYSTEM, make_agent, make_group, web
from tests.messaging.mail import SUPPORT, build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
SPANISH = "Urgente: el sistema está caído y no podemos trabajar desde esta mañana, por favor."
ENGLISH = "Urgent: the system is down and we cannot work since this morning, please help."
# Friday 4 December 2026, 19:00 in Santiago (UTC-3 in summer).
FRIDAY_EVENING = datetime(2026, 12, 4, 19, 0, tzinfo=SANTIAGO)
TUESDAY_MORNING = datetime(2026, 12, 8, 10, 0, tzinfo=SANTIAGO)


@pytest.fixture
def office_hours() -> None:
    """The instance's calendar, through the sla app's service: Monday to Friday, 09:00 to
    18:00, Santiago."""
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday")
    create_calendar(
        SYSTEM,
        name="Oficina Santiago",
        time_zone="America/Santiago",
        hours={day: [["09:00", "18:00"]] for day in weekdays},
        is_default=True,
    )


def acknowledgement_of(
    body: str, at: datetime, on_commit: Callable[..., Any], **mail: Any
) -> str | None:
    """Deliver a customer's mail at ``at``; the text of the acknowledgement sent, if any."""
    mailbox = Mailbox.objects.filter(address=SUPPORT).first() or make_mailbox()
    with time_machine.travel(at, tick=False), on_commit():
        deliver(build(body=body, **mail), mailbox)
    ack = OutboundEmail.objects.filter(kind=OutboundKind.RECEIVED).order_by("-pk").first()
    if ack is None:
        return None
    return compose.render(ack.kind, outbound=ack)[1]


@pytest.mark.usefixtures("office_hours")
def test_out_of_hours_in_spanish_names_the_next_opening(on_commit: Callable[..., Any]) -> None:
    text = acknowledgement_of(SPANISH, FRIDAY_EVENING, on_commit)
    assert text is not None
    assert text.startswith("Gracias por escribirnos. En este momento estamos fuera de nuestro")
    assert "a partir del lunes 7 de diciembre a las 09:00." in text
    assert "Hemos recibido su solicitud" in text  # the acknowledgement follows


@pytest.mark.usefixtures("office_hours")
def test_out_of_hours_in_english(on_commit: Callable[..., Any]) -> None:
    text = acknowledgement_of(
        ENGLISH, FRIDAY_EVENING, on_commit, sender="Jane Doe <jane@customer.test>"
    )
    assert text is not None
    assert "we will read your message from Monday, December 7 at 09:00." in text
    assert "We have received your request" in text


@pytest.mark.usefixtures("office_hours")
def test_inside_working_hours_only_the_acknowledgement(on_commit: Callable[..., Any]) -> None:
    text = acknowledgement_of(SPANISH, TUESDAY_MORNING, on_commit)
    assert text is not None
    assert text.startswith("Hola")
    assert "horario" not in text


def test_without_a_calendar_the_team_is_always_open(on_commit: Callable[..., Any]) -> None:
    assert business_hours.next_opening(None, FRIDAY_EVENING) == FRIDAY_EVENING
    text = acknowledgement_of(SPANISH, FRIDAY_EVENING, on_commit)
    assert text is not None and "horario" not in text


@pytest.mark.usefixtures("office_hours")
@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<news.customer.test>", "Precedence": "list"},
    ],
)
def test_never_to_automatic_mail(headers: dict[str, str], on_commit: Callable[..., Any]) -> None:
    with time_machine.travel(FRIDAY_EVENING, tick=False), on_commit():
        deliver(build(body=SPANISH, headers=headers, subject="Re: Printer"), make_mailbox())
    assert not OutboundEmail.objects.exists()


@pytest.mark.usefixtures("office_hours")
def test_at_most_one_auto_reply_per_customer_in_the_window(on_commit: Callable[..., Any]) -> None:
    acknowledgement_of(SPANISH, FRIDAY_EVENING, on_commit, subject="Uno")
    acknowledgement_of(SPANISH, FRIDAY_EVENING + timedelta(minutes=2), on_commit, subject="Dos")
    assert OutboundEmail.objects.filter(kind=OutboundKind.RECEIVED).count() == 1


def announce(**fields: Any) -> Announcement:
    values: dict[str, Any] = {
        "name": "Fiestas",
        "kind": "holiday",
        "text_en": "We are closed for the holidays until 2 January.",
        "text_es": "Estamos cerrados por las fiestas hasta el 2 de enero.",
        "starts_at": datetime(2026, 12, 24, tzinfo=SANTIAGO),
        "ends_at": datetime(2027, 1, 2, tzinfo=SANTIAGO),
    }
    values.update(fields)
    return create_announcement(SYSTEM, **values)


def test_an_announcement_rides_with_the_acknowledgement_inside_its_window(
    on_commit: Callable[..., Any],
) -> None:
    announce()
    inside = acknowledgement_of(SPANISH, datetime(2026, 12, 28, 11, tzinfo=SANTIAGO), on_commit)
    assert inside is not None
    assert inside.startswith("Estamos cerrados por las fiestas hasta el 2 de enero.")
    assert "Hemos recibido su solicitud" in inside


@pytest.mark.parametrize(
    "at", [datetime(2026, 12, 23, 23, 59, tzinfo=SANTIAGO), datetime(2027, 1, 2, tzinfo=SANTIAGO)]
)
def test_no_announcement_outside_its_window(at: datetime, on_commit: Callable[..., Any]) -> None:
    announce()
    text = acknowledgement_of(SPANISH, at, on_commit)
    assert text is not None and "fiestas" not in text


def test_an_announcement_instead_of_the_acknowledgement_in_english(
    on_commit: Callable[..., Any],
) -> None:
    announce(
        kind="outage",
        text_en="Our e-mail is down; we are on it.",
        text_es="Nuestro correo está caído; estamos en ello.",
        replaces_acknowledgement=True,
    )
    text = acknowledgement_of(
        ENGLISH,
        datetime(2026, 12, 28, 11, tzinfo=SANTIAGO),
        on_commit,
        sender="Jane Doe <jane@customer.test>",
    )
    assert text == "Our e-mail is down; we are on it.\n"


def test_an_announcement_for_one_group_only(on_commit: Callable[..., Any]) -> None:
    announce(group_id=make_group().pk)
    text = acknowledgement_of(SPANISH, datetime(2026, 12, 28, 11, tzinfo=SANTIAGO), on_commit)
    assert text is not None and "fiestas" not in text


def test_bad_announcements_are_refused_naming_the_part() -> None:
    with pytest.raises(Invalid) as caught:
        announce(
            name="",
            kind="party",
            text_es=" ",
            ends_at=datetime(2026, 12, 1, tzinfo=SANTIAGO),
            group_id=999_999,
        )
    assert {e.field for e in caught.value.errors} == {
        "name",
        "kind",
        "text_es",
        "ends_at",
        "group_id",
    }
    with pytest.raises(Invalid) as caught:
        announce(starts_at=datetime(2026, 12, 24))  # no time zone
    assert [e.field for e in caught.value.errors] == ["starts_at"]
    assert not Announcement.objects.exists()
    with pytest.raises(Forbidden):
        create_announcement(
            web(make_agent()),
            name="x",
            text_en="x",
            text_es="x",
            starts_at=FRIDAY_EVENING,
            ends_at=TUESDAY_MORNING,
        )


def test_update_and_delete() -> None:
    found = announce()
    with pytest.raises(Invalid) as caught:
        update_announcement(
            SYSTEM,
            announcement_id=found.pk,
            changes={"ends_at": datetime(2026, 12, 1, tzinfo=UTC)},
        )
    assert [e.field for e in caught.value.errors] == ["ends_at"]
    update_announcement(SYSTEM, announcement_id=found.pk, changes={"text_en": "Closed."})
    found.refresh_from_db()
    assert found.text_en == "Closed."
    delete_announcement(SYSTEM, announcement_id=found.pk)
    assert not Announcement.objects.exists()
