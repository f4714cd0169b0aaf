"""The signed public links providers fetch a reply's attachments from (``/files/<token>/<name>``):
the file with the safe download headers while the link is valid, a bare 404 for a forged,
expired or borrowed token, another file's name, or a file that is no reply's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from atiende.messaging.channels import file_links
from atiende.tickets import services as tickets
from atiende.tickets.models import Attachment
from tests.factories import make_agent, make_group, make_ticket, web
from tests.messaging.channels.media_files import PDF, attach, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def files() -> tuple[Attachment, Attachment]:
    """Two files of one public reply."""
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    pdf = attach(agent, ticket, "factura de marzo.pdf", PDF)
    image = attach(agent, ticket, "foto.png", png())
    tickets.reply(
        web(agent), ticket_id=ticket.pk, body="Adjunto", attachment_ids=[pdf.pk, image.pk]
    )
    pdf.refresh_from_db()
    image.refresh_from_db()
    return pdf, image


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_a_signed_link_serves_the_file_as_a_safe_download(
    client: Client, files: tuple[Attachment, Attachment]
) -> None:
    pdf, _image = files
    url = file_links.public_url(pdf)

    answer = client.get(path_of(url))

    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == PDF
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment; filename=")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert client.head(path_of(url)).status_code == 200
    assert client.post(path_of(url)).status_code == 405


def test_the_link_is_absolute_on_the_site_url(
    settings: Any, files: tuple[Attachment, Attachment]
) -> None:
    settings.ATIENDE_SITE_URL = "https://ayuda.example.com/"
    url = file_links.public_url(files[0])
    assert url.startswith("https://ayuda.example.com/files/")
    assert url.endswith("/factura%20de%20marzo.pdf")


def test_an_expired_link_is_not_found(client: Client, files: tuple[Attachment, Attachment]) -> None:
    url = file_links.public_url(files[0])
    later = timezone.now() + timedelta(seconds=file_links.MAX_AGE + 5)
    with time_machine.travel(later, tick=False):
        assert client.get(path_of(url)).status_code == 404
    assert client.get(path_of(url)).status_code == 200  # valid until then


def test_a_forged_or_changed_token_is_not_found(
    client: Client, files: tuple[Attachment, Attachment]
) -> None:
    pdf, image = files
    name = "factura%20de%20marzo.pdf"
    token = file_links.sign(pdf)
    changed = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    other_salt = signing.dumps({"a": pdf.pk, "h": pdf.sha256[:16]}, salt="atiende.surveys.link")
    made_up = signing.dumps({"a": image.pk, "h": pdf.sha256[:16]}, salt=file_links.SALT)
    for bad in (
        changed,
        other_salt,
        made_up,
        "nada",
        signing.dumps([pdf.pk], salt=file_links.SALT),
    ):
        assert client.get(f"/files/{bad}/{name}").status_code == 404, bad


def test_a_token_fetches_only_its_own_file_under_its_own_name(
    client: Client, files: tuple[Attachment, Attachment]
) -> None:
    pdf, image = files
    token = file_links.sign(pdf)
    assert client.get(f"/files/{token}/foto.png").status_code == 404  # another file's name
    assert client.get(f"/files/{file_links.sign(image)}/foto.png").status_code == 200


def test_a_file_of_no_public_reply_is_never_served(client: Client) -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    loose = attach(agent, ticket, "borrador.pdf", PDF)  # uploaded, not sent
    noted = attach(agent, ticket, "interno.pdf", PDF + b"%nota")
    tickets.reply(
        web(agent), ticket_id=ticket.pk, body="Nota", public=False, attachment_ids=[noted.pk]
    )
    for file in (loose, noted):
        file.refresh_from_db()
        assert client.get(path_of(file_links.public_url(file))).status_code == 404


def test_a_type_off_the_allow_list_is_served_as_an_opaque_download(
    client: Client, files: tuple[Attachment, Attachment]
) -> None:
    pdf, _image = files
    Attachment.objects.filter(pk=pdf.pk).update(content_type="text/html")
    pdf.refresh_from_db()
    answer = client.get(path_of(file_links.public_url(pdf)))
    assert answer["Content-Type"] == "application/octet-stream"
