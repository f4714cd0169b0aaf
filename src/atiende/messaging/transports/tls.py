"""TLS for our mail clients, and the one exception to it: a server on this machine.

Certificates are verified against the system's authorities plus, when set,
``ATIENDE_MAIL_CA_FILE`` (a setting or environment variable): a private authority for an
internal mail server, or the tests' self-signed certificate.
"""

from __future__ import annotations

import ipaddress
import os
import ssl

from django.conf import settings

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def client_context() -> ssl.SSLContext:
    """A verifying client context (TLS 1.2 or newer)."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    extra = getattr(settings, "ATIENDE_MAIL_CA_FILE", "") or os.environ.get(
        "ATIENDE_MAIL_CA_FILE", ""
    )
    if extra:
        context.load_verify_locations(cafile=extra)
    return context


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine, where a password in the clear stays local."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
