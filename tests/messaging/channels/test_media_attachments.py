"""Downloaded media become the customer's message's attachments through the tickets services,
in the shape the channel intake hands them over: stored before the transaction, recorded and
claimed inside it (as the email intake does)."""

from __future__ import annotations

import pytest
from django.db import transaction

from atiende.accounts.services import find_or_create_customer_by_identity
from atiende.core.actor import Actor, Source
from atiende.messaging.channels import registry, services
from atiende.messaging.channels.contract import InboundMessage, Media, Sender
from atiende.messaging.channels.services.media import (
    attach,
    fetch_event_media,
    fetch_inbound_media,
    message_text,
)
from atiende.messaging.models import ChannelDirection, ChannelMessage
from atiende.tickets import services as tickets
from atiende.tickets.models import Attachment, Channel, Message
from atiende.tickets.selectors import opening_message
from atiende.tickets.services.intake import add_channel_message, attach_to_message
from tests.factories import SYSTEM, make_group
from tests.messaging.channels.fake_graph import ACCESS_TOKEN, PHONE_NUMBER_ID
from tests.messaging.channels.fake_graph import config as graph_config
from tests.messaging.channels.fake_media import JPEG, PDF, FakeMedia, media_host_fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
__all__ = ["media_host_fixture"]

CHANNEL = Actor(user=None, source=Source.CHANNEL, detail="whatsapp:1")
LUCIA = Sender(channel="whatsapp", address="5215512345678", name="Lucía")


def test_a_first_message_with_media_opens_a_ticket_with_its_attachments(
    media_host: FakeMedia,
) -> None:
    photo = media_host.whatsapp_medium(JPEG, "image/jpeg")
    too_big = media_host.whatsapp_medium(b"x", "video/mp4", filename="v.mp4", file_size=99 << 20)
    event = InboundMessage(
        provider_id="wamid.1", sender=LUCIA, text="Se rompió así", media=(photo, too_big)
    )
    fetched = fetch_event_media(graph_config("whatsapp", media_host.base_url), event)

    with transaction.atomic():  # the payload's transaction, after the downloads
        customer = find_or_create_customer_by_identity(
            CHANNEL, channel=LUCIA.channel, address=LUCIA.address, name=LUCIA.name
        )
        ticket = tickets.open_ticket(
            CHANNEL,
            subject="Se rompió así",
            body=message_text(event, fetched),
            requester=customer,
            channel=Channel.WHATSAPP,
            external_id=event.provider_id,
        )
        message = opening_message(ticket)
        ids = attach(CHANNEL, ticket_id=ticket.pk, fetched=fetched)
        attach_to_message(CHANNEL, message_id=message.pk, attachment_ids=ids)

    (attachment,) = Attachment.objects.all()
    assert attachment.message_id == message.pk and attachment.ticket_id == ticket.pk
    assert (attachment.filename, attachment.content_type) == ("image.jpg", "image/jpeg")
    assert attachment.size == len(JPEG) and attachment.file.read() == JPEG
    assert Message.objects.get(pk=message.pk).body_text == (
        "Se rompió así\n[Attachment too large to download: v.mp4 (99 MB; limit 25 MB)]"
    )


def test_a_later_message_with_media_is_added_with_its_attachments(media_host: FakeMedia) -> None:
    customer = find_or_create_customer_by_identity(
        CHANNEL, channel=LUCIA.channel, address=LUCIA.address, name=LUCIA.name
    )
    ticket = tickets.open_ticket(
        CHANNEL, subject="Factura", body="Hola", requester=customer, channel=Channel.WHATSAPP
    )
    document = media_host.whatsapp_medium(PDF, "application/pdf", filename="factura.pdf")
    event = InboundMessage(provider_id="wamid.2", sender=LUCIA, text="", media=(document,))
    fetched = fetch_event_media(graph_config("whatsapp", media_host.base_url), event)

    with transaction.atomic():
        message = add_channel_message(
            CHANNEL,
            ticket_id=ticket.pk,
            author=customer,
            body=message_text(event, fetched),
            channel_name=Channel.WHATSAPP,
            attachment_ids=attach(CHANNEL, ticket_id=ticket.pk, fetched=fetched),
            external_id=event.provider_id,
        )

    (attachment,) = message.attachments.all()
    assert (attachment.filename, attachment.content_type) == ("factura.pdf", "application/pdf")
    assert attachment.file.read() == PDF
    assert message.body_text == "(This message has no text.)"


def test_a_message_delivered_again_is_not_downloaded_again(media_host: FakeMedia) -> None:
    account = services.create_account(
        SYSTEM,
        provider="whatsapp",
        name="WhatsApp ventas",
        group_id=make_group().pk,
        settings={"phone_number_id": PHONE_NUMBER_ID, "api_base": media_host.base_url},
        secrets={"access_token": ACCESS_TOKEN, "app_secret": "s", "verify_token": "v"},
    )
    ChannelMessage.objects.create(
        account=account, direction=ChannelDirection.INBOUND, provider_id="wamid.old", address="1"
    )
    old, new = (media_host.whatsapp_medium(JPEG, "image/jpeg") for _ in range(2))
    events = [
        InboundMessage(provider_id="wamid.old", sender=LUCIA, text="", media=(old,)),
        InboundMessage(provider_id="wamid.new", sender=LUCIA, text="", media=(new,)),
        InboundMessage(provider_id="wamid.txt", sender=LUCIA, text="solo texto"),
    ]

    fetched = fetch_inbound_media(account, registry.config_for(account), events)

    assert list(fetched) == ["wamid.new"]
    (item,) = fetched["wamid.new"]
    assert item.file is not None and item.medium == new
    assert len(media_host.requests) == 2  # the new one's lookup and download only


def test_media_never_fetched_are_still_named_in_the_text() -> None:
    medium = Media(reference="x", filename="nota.ogg")
    event = InboundMessage(provider_id="m", sender=LUCIA, text="Escucha", media=(medium,))

    assert message_text(event) == "Escucha\n[Attachment not downloaded: nota.ogg]"
