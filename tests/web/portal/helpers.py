from __future__ import annotations

import io

from django.test import Client

from atiende.accounts.models import User
from atiende.tickets import services as tickets
from atiende.tickets.models import Attachment, Ticket
from tests.factories import web


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(
    user: User, ticket: Ticket, name: str = "factura.pdf", data: bytes = b"%PDF-1.4 x"
) -> Attachment:
    return tickets.store_attachment(
        web(user), ticket_id=ticket.pk, filename=name, stream=io.BytesIO(data)
    )
