"""A mailbox's brand in the customer portal: name, colours, logo, and which brand a page shows.

Colours are stored only as ``#rrggbb`` (checked on write by ``messaging.mailboxes`` and again
when read here), so the portal can set them as CSS custom properties: no user-written CSS ever
reaches a page. A logo is stored only when its bytes are PNG, JPEG, GIF or WebP (never SVG,
which can carry scripts), at most ``MAX_LOGO_BYTES``, and served with its sniffed type.

Which brand a page shows: the ticket's mailbox (the one it came in through, else its group's),
else the mailbox whose ``portal_host`` is the host the page was opened under, else the
instance's default look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.messaging.models import InboundMessage, Mailbox
from atiende.tickets.models import Ticket
from atiende.tickets.services.attachments import sniff_content_type

COLOR_RE = re.compile(r"#[0-9a-f]{6}")
HOST_RE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
MAX_LOGO_BYTES = 512 * 1024
DEFAULT_NAME = "Atiende"
DEFAULT_PRIMARY = "#1d4ed8"
DEFAULT_ACCENT = "#0f766e"


def clean_color(value: object, field: str) -> str:
    """``#rrggbb`` in lower case, or "" (the default colour); anything else is refused."""
    text = str(value or "").strip().lower()
    if not text:
        return ""
    if not COLOR_RE.fullmatch(text):
        raise Invalid.field(field, _("Enter a colour as #rrggbb, e.g. #1d4ed8."))
    return text


def clean_host(value: object, field: str = "portal_host") -> str:
    """A host name (no scheme, port or path) in lower case, or ""."""
    text = str(value or "").strip().lower().rstrip(".")
    if not text:
        return ""
    if len(text) > 253 or not HOST_RE.fullmatch(text):
        raise Invalid.field(field, _("Enter a host name such as ayuda.example.com."))
    return text


# The portal's page backgrounds, light and dark: text in the brand's colour is adjusted until
# it reads on them (WCAG AA, 4.5:1), whatever colour an admin chose.
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#161b22"
READABLE = 4.5


def _channels(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _luminance(color: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (linear(c) for c in _channels(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _mix(color: str, towards: str, share: float) -> str:
    mixed = (
        round(c + (t - c) * share)
        for c, t in zip(_channels(color), _channels(towards), strict=True)
    )
    return "#" + "".join(f"{c:02x}" for c in mixed)


def readable_on(color: str, background: str) -> str:
    """``color``, moved towards black or white just enough to read on ``background``."""
    towards = "#000000" if _luminance(background) > 0.5 else "#ffffff"
    for step in range(11):
        candidate = _mix(color, towards, step / 10)
        if contrast(candidate, background) >= READABLE:
            return candidate
    return towards


@dataclass(frozen=True)
class Brand:
    """What the portal shows: every value safe to put in a page as is (colours checked)."""

    name: str
    primary: str
    accent: str
    mailbox_id: int | None = None
    has_logo: bool = False

    @property
    def on_primary(self) -> str:
        """Text on the brand colour (buttons): black or white, whichever reads better."""
        white, black = contrast("#ffffff", self.primary), contrast("#111111", self.primary)
        return "#ffffff" if white >= black else "#111111"

    @property
    def link_light(self) -> str:
        return readable_on(self.primary, LIGHT_BACKGROUND)

    @property
    def link_dark(self) -> str:
        return readable_on(self.primary, DARK_BACKGROUND)


DEFAULT_BRAND = Brand(name=DEFAULT_NAME, primary=DEFAULT_PRIMARY, accent=DEFAULT_ACCENT)


def _safe_color(value: str, default: str) -> str:
    return value if COLOR_RE.fullmatch(value or "") else default


def brand_of(mailbox: Mailbox | None) -> Brand:
    if mailbox is None:
        return DEFAULT_BRAND
    return Brand(
        name=mailbox.brand_name or mailbox.display_name or DEFAULT_NAME,
        primary=_safe_color(mailbox.brand_primary_color, DEFAULT_PRIMARY),
        accent=_safe_color(mailbox.brand_accent_color, DEFAULT_ACCENT),
        mailbox_id=mailbox.pk,
        has_logo=bool(mailbox.brand_logo) and mailbox.brand_logo_type in LOGO_TYPES,
    )


def mailbox_for_host(host: str) -> Mailbox | None:
    host = host.split(":", 1)[0].lower().rstrip(".")
    if not host:
        return None
    return Mailbox.objects.filter(active=True, portal_host=host).order_by("pk").first()


def mailbox_of_ticket(ticket: Ticket) -> Mailbox | None:
    """The active mailbox the ticket came in through, else its group's; no fallback."""
    came_in = (
        InboundMessage.objects.filter(ticket_id=ticket.pk, mailbox__active=True)
        .order_by("pk")
        .values_list("mailbox_id", flat=True)
        .first()
    )
    mailboxes = Mailbox.objects.filter(active=True).order_by("pk")
    if came_in is not None:
        return mailboxes.filter(pk=came_in).first()
    if ticket.group_id is not None:
        return mailboxes.filter(group_id=ticket.group_id).first()
    return None


def brand_for(*, host: str, ticket: Ticket | None = None) -> Brand:
    """The brand of a portal page: the ticket's mailbox, else the host's, else the default.

    ``ticket`` must already have been read through the gate for the viewer.
    """
    mailbox = mailbox_of_ticket(ticket) if ticket is not None else None
    if mailbox is None:
        mailbox = mailbox_for_host(host)
    return brand_of(mailbox)


def logo_of(mailbox_id: int) -> Mailbox:
    """The mailbox whose logo is asked for: public (the portal's sign-in page shows it)."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    if mailbox is None or not mailbox.brand_logo or mailbox.brand_logo_type not in LOGO_TYPES:
        raise NotFound(_("No logo."))
    return mailbox


@transaction.atomic
def set_brand_logo(actor: Actor, *, mailbox_id: int, data: bytes) -> Mailbox:
    """Store ``data`` as the mailbox's portal logo, if its bytes are an allowed image."""
    require_admin(actor)
    mailbox = Mailbox.objects.select_for_update().filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(_("Mailbox not found."))
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid.field(
            "brand_logo",
            _("The logo is larger than %(max)d KB.") % {"max": MAX_LOGO_BYTES // 1024},
        )
    kind = sniff_content_type(data[:8192])
    if kind not in LOGO_TYPES:
        raise Invalid.field("brand_logo", _("The logo must be a PNG, JPEG, GIF or WebP image."))
    if mailbox.brand_logo:
        mailbox.brand_logo.delete(save=False)
    mailbox.brand_logo.save(f"logo-{mailbox.pk}.{LOGO_TYPES[kind]}", ContentFile(data), save=False)
    mailbox.brand_logo_type = kind
    mailbox.save(update_fields=["brand_logo", "brand_logo_type", "updated_at"])
    return mailbox


@transaction.atomic
def remove_brand_logo(actor: Actor, *, mailbox_id: int) -> Mailbox:
    require_admin(actor)
    mailbox = Mailbox.objects.select_for_update().filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(_("Mailbox not found."))
    if mailbox.brand_logo:
        mailbox.brand_logo.delete(save=False)
    mailbox.brand_logo_type = ""
    mailbox.save(update_fields=["brand_logo", "brand_logo_type", "updated_at"])
    return mailbox
