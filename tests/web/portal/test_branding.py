"""Branding per mailbox: colours only as #rrggbb (never raw CSS), a logo only when its bytes
are an image we allow, the ticket's mailbox or the host choosing the brand, the default else."""

from __future__ import annotations

import base64

import pytest
from django.conf import LazySettings
from django.test import Client

from atiende.accounts.models import User
from atiende.core.errors import Invalid
from atiende.messaging import branding, mailboxes
from atiende.messaging.models import Mailbox
from tests.factories import SYSTEM, make_admin, make_customer, make_group, make_ticket
from tests.messaging.mail import build, deliver, make_mailbox
from tests.web.portal.helpers import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "bad",
    ["red", "#fff", "#12345g", "#123456; background:url(x)", "expression(alert(1))", "#1234567"],
)
def test_a_colour_is_only_ever_rrggbb(bad: str) -> None:
    mailbox = make_mailbox()
    with pytest.raises(Invalid) as refused:
        mailboxes.update_mailbox(
            SYSTEM, mailbox_id=mailbox.pk, changes={"brand_primary_color": bad}
        )
    assert [e.field for e in refused.value.errors] == ["brand_primary_color"]


def test_good_values_are_kept_normalised_and_a_bad_host_is_refused() -> None:
    mailbox = make_mailbox()
    saved = mailboxes.update_mailbox(
        SYSTEM,
        mailbox_id=mailbox.pk,
        changes={
            "brand_primary_color": "#AA3300",
            "brand_accent_color": "",
            "portal_host": "Ayuda.Example.com",
        },
    )
    assert (saved.brand_primary_color, saved.brand_accent_color) == ("#aa3300", "")
    assert saved.portal_host == "ayuda.example.com"
    with pytest.raises(Invalid) as refused:
        mailboxes.update_mailbox(
            SYSTEM, mailbox_id=mailbox.pk, changes={"portal_host": "https://x.test/<a>"}
        )
    assert [e.field for e in refused.value.errors] == ["portal_host"]


def test_the_tickets_mailbox_brands_its_page_and_the_list_takes_the_hosts(
    settings: LazySettings,
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "portal.acme.test"]
    group = make_group()
    make_mailbox(
        "ayuda@acme.test",
        group=group,
        brand_name="Acme Ayuda",
        brand_primary_color="#aa3300",
        portal_host="portal.acme.test",
    )
    customer = make_customer()
    ticket = make_ticket(customer, group_id=group.pk)
    plain = make_ticket(customer)
    client = client_for(customer)

    page = client.get(f"/portal/requests/{ticket.pk}/").content.decode()
    assert "--brand: #aa3300" in page
    assert "Acme Ayuda" in page
    default = client.get(f"/portal/requests/{plain.pk}/").content.decode()
    assert f"--brand: {branding.DEFAULT_PRIMARY}" in default
    assert "Acme Ayuda" not in default
    hosted = client.get("/portal/", HTTP_HOST="portal.acme.test")
    assert "--brand: #aa3300" in hosted.content.decode()


def test_the_mailbox_a_request_came_in_through_brands_it() -> None:
    mailbox = make_mailbox(brand_name="Soporte Beta", brand_accent_color="#00aa55")
    inbound = deliver(build(sender="Lola <lola@cliente.test>"), mailbox)
    assert inbound.ticket_id is not None
    lola = User.objects.get(email="lola@cliente.test")
    page = client_for(lola).get(f"/portal/requests/{inbound.ticket_id}/").content.decode()
    assert "Soporte Beta" in page
    assert "--brand-accent: #00aa55" in page


def test_a_colour_written_around_the_service_never_reaches_the_page() -> None:
    group = make_group()
    mailbox = make_mailbox(group=group)
    # Data from before validation, or written by hand: the page still checks it.
    Mailbox.objects.filter(pk=mailbox.pk).update(brand_primary_color="red;}*{")
    customer = make_customer()
    ticket = make_ticket(customer, group_id=group.pk)
    page = client_for(customer).get(f"/portal/requests/{ticket.pk}/").content.decode()
    assert "red;}" not in page
    assert f"--brand: {branding.DEFAULT_PRIMARY}" in page


def test_the_brand_style_carries_the_pages_csp_nonce() -> None:
    customer = make_customer()
    response = client_for(customer).get("/portal/")
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert "'unsafe-inline'" not in policy


def test_an_admin_uploads_a_logo_that_is_served_as_the_image_it_is() -> None:
    admin = make_admin()
    mailbox = make_mailbox(brand_name="Acme")
    client = Client()
    client.force_login(admin)
    url = f"/settings/mailboxes/{mailbox.pk}/logo/"
    assert "Portal colour" in client.get(f"/settings/mailboxes/{mailbox.pk}/").content.decode()

    svg = client.post(url, {"brand_logo": _file("logo.png", SVG)}, follow=True)
    assert "must be a PNG, JPEG, GIF or WebP" in svg.content.decode()
    big = client.post(url, {"brand_logo": _file("big.png", PNG + b"0" * 600_000)}, follow=True)
    assert "larger than 512 KB" in big.content.decode()
    assert Client().get(f"/portal/brand/{mailbox.pk}/logo/").status_code == 404

    client.post(url, {"brand_logo": _file("logo.svg", PNG)})
    served = Client().get(f"/portal/brand/{mailbox.pk}/logo/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG  # type: ignore[attr-defined]

    client.post(url, {"remove": "1"})
    assert Client().get(f"/portal/brand/{mailbox.pk}/logo/").status_code == 404


def test_only_admins_change_a_logo() -> None:
    mailbox = make_mailbox()
    customer = make_customer()
    response = client_for(customer).post(
        f"/settings/mailboxes/{mailbox.pk}/logo/", {"brand_logo": _file("l.png", PNG)}
    )
    assert response.status_code == 403
    mailbox.refresh_from_db()
    assert not mailbox.brand_logo


def _file(name: str, data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    "color", ["#1d4ed8", "#ffcc00", "#000000", "#ffffff", "#808080", "#00ff00"]
)
def test_any_brand_colour_gives_readable_text_in_light_and_dark(color: str) -> None:
    brand = branding.Brand(name="x", primary=color, accent=color)
    assert branding.contrast(brand.on_primary, color) >= 4.5
    assert branding.contrast(brand.link_light, branding.LIGHT_BACKGROUND) >= 4.5
    assert branding.contrast(brand.link_dark, branding.DARK_BACKGROUND) >= 4.5
