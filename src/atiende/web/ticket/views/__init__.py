"""The ticket page and the new-ticket page: thin views over ``tickets.services`` and the reads
in ``page``.

htmx partials answer with the fragment they replace: the header (every field edit answers with
the whole header, so every field form carries the new ``version``), the timeline, the composer
and the time panel. A change the page made sends ``HX-Trigger: ticket-changed`` so the other
parts refresh; ``ticket.js`` does the same when realtime events about this ticket arrive.
"""

from atiende.web.ticket.views.assist import assist_panel
from atiende.web.ticket.views.composer import (
    canned_list,
    canned_text,
    mention_suggestions,
    reply,
    upload,
)
from atiende.web.ticket.views.creating import new_ticket, requester_suggestions
from atiende.web.ticket.views.drafts import save_draft
from atiende.web.ticket.views.header import assign_to_me, edit_field, header, solve
from atiende.web.ticket.views.relate import relate, relate_search
from atiende.web.ticket.views.ticket import ticket_page, timeline
from atiende.web.ticket.views.time import time_action, time_panel

__all__ = [
    "assign_to_me",
    "assist_panel",
    "canned_list",
    "canned_text",
    "edit_field",
    "header",
    "mention_suggestions",
    "new_ticket",
    "relate",
    "relate_search",
    "reply",
    "requester_suggestions",
    "save_draft",
    "solve",
    "ticket_page",
    "time_action",
    "time_panel",
    "timeline",
    "upload",
]
