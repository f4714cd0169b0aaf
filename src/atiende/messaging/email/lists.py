"""Mailing-list addresses in a message: a list is never a person, so it never follows a
ticket (every reply would go to the whole list)."""

from __future__ import annotations

import re

from atiende.messaging.email.parse import ParsedEmail

LIST_ID = re.compile(r"<([^<>\s]+)>")
MAILTO = re.compile(r"<mailto:([^<>?\s]+)", re.IGNORECASE)


def is_list_address(parsed: ParsedEmail, address: str) -> bool:
    """``address`` is the list the message came through: its ``List-Post`` address, or the
    address its ``List-Id`` names (``<support.lists.example.com>`` is
    ``support@lists.example.com``, as Mailman, Google Groups and Sympa write it)."""
    address = address.strip().lower()
    post = parsed.headers.get("List-Post", "")
    if any(found.lower() == address for found in MAILTO.findall(post)):
        return True
    list_id = parsed.headers.get("List-Id", "")
    match = LIST_ID.search(list_id)
    label = (match.group(1) if match else list_id).strip().lower()
    return bool(label) and address.replace("@", ".", 1) == label
