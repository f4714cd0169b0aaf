"""``atiende semantic rebuild``: embed every published article and solved ticket again."""

from __future__ import annotations

import pytest

from atiende.cli import main
from atiende.core.actor import Actor
from atiende.semantic.selectors import has
from atiende.tickets import services as tickets
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_rebuild_embeds_solved_tickets(capsys: pytest.CaptureFixture[str]) -> None:
    ticket = make_ticket(subject="Printer offline", body="The printer is offline.")
    tickets.change_status(Actor.system("test"), ticket_id=ticket.pk, status="solved")
    assert main(["semantic", "rebuild", "--kind", "ticket"]) == 0
    assert "Embedded 1 solved tickets." in capsys.readouterr().out
    assert has("ticket", ticket.pk)


def test_rebuild_says_when_the_encoder_is_off(
    capsys: pytest.CaptureFixture[str], encoder_unavailable: None
) -> None:
    assert main(["semantic", "rebuild"]) == 1
    assert "unavailable" in capsys.readouterr().err
