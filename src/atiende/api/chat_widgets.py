"""/chat-widgets: the live chat widgets that sites embed with one ``<script>`` tag. Admins only.

``embed_snippet`` is the tag to put on the site's pages; ``allowed_origins`` the sites that may
show the widget (``https://www.example.com[:port]``, no path; ``"*"`` alone for any site).
A widget that has had chats cannot be deleted (409): deactivate it with ``active: false``.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import BodyIn, Clean, Id, Name, NamedRef, Page, UpdateIn, errors
from atiende.messaging.chat import config
from atiende.messaging.chat import widget_selectors as selectors
from atiende.messaging.chat import widgets as services
from atiende.messaging.models import ChatWidget

router = Router(tags=["chat"])

Origin = Annotated[str, Clean, StringConstraints(min_length=1, max_length=300)]
Origins = Annotated[list[Origin], Field(max_length=config.MAX_ORIGINS)]
Title = Annotated[str, Clean, StringConstraints(max_length=100)]
Greeting = Annotated[str, Clean, StringConstraints(max_length=300)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Language = Literal["", "es", "en"]
ORIGINS_HELP = 'Sites that may show it: "https://www.example.com" (with :port if any); "*" any.'


class PrechatFieldIn(BodyIn):
    key: Annotated[str, StringConstraints(pattern=config.FIELD_KEY.pattern)] = Field(
        description='"name", "email", "phone" (they make the customer) or a key of your own.'
    )
    label: Annotated[str, Clean, StringConstraints(max_length=100)] = Field(
        default="", description="Empty: the widget's own wording (for name, email, phone)."
    )
    required: bool = False


PrechatFields = Annotated[list[PrechatFieldIn], Field(max_length=config.MAX_FIELDS)]


class PrechatFieldOut(Schema):
    key: str
    label: str
    required: bool


class ChatWidgetOut(Schema):
    id: int
    public_id: str = Field(description='The tag\'s "data-widget".')
    name: str
    group: NamedRef | None
    allowed_origins: list[str]
    prechat_fields: list[PrechatFieldOut]
    title: str
    greeting: str
    accent_color: str
    language: str = Field(description='"es", "en", or "" for the visitor\'s browser language.')
    bot_enabled: bool
    active: bool
    embed_snippet: str = Field(description="The tag to put on the site's pages.")
    chat_count: int
    last_chat_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_embed_snippet(obj: Any) -> str:
        return selectors.embed_snippet(obj)


ChatWidgetPage = Page[ChatWidgetOut]


class ChatWidgetCreateIn(BodyIn):
    """A new widget with a fresh public id. Without ``prechat_fields`` it asks for an optional
    name and email."""

    name: Name
    group_id: Id | None = None
    allowed_origins: Origins = Field(default_factory=list, description=ORIGINS_HELP)
    prechat_fields: PrechatFields | None = None
    title: Title = ""
    greeting: Greeting = ""
    accent_color: Colour = "#1f5fbf"
    language: Language = ""
    bot_enabled: bool = False
    active: bool = True


class ChatWidgetUpdateIn(UpdateIn):
    """Only the members sent change; lists are replaced whole."""

    nullable = frozenset({"group_id"})

    name: Name | None = None
    group_id: Id | None = None
    allowed_origins: Origins | None = Field(default=None, description=ORIGINS_HELP)
    prechat_fields: PrechatFields | None = None
    title: Title | None = None
    greeting: Greeting | None = None
    accent_color: Colour | None = None
    language: Language | None = None
    bot_enabled: bool | None = None
    active: bool | None = None


def _found(request: HttpRequest, widget_id: int) -> ChatWidget:
    return selectors.get_widget(actor(request), widget_id)


@router.get("/chat-widgets", response={200: ChatWidgetPage, **errors(403, 422)})
def list_widgets(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """Widgets by name, with how many chats each has had and when the last began."""
    found = selectors.list_widgets(actor(request), limit=page.limit, cursor=page.cursor)
    return {"items": found.items, "next_cursor": found.next_cursor}


@router.post("/chat-widgets", response={201: ChatWidgetOut, **errors(403, 422)})
def create_widget(request: HttpRequest, payload: ChatWidgetCreateIn) -> HttpResponse:
    """Create a widget; the answer's ``embed_snippet`` is the tag for the site."""
    caller = actor(request)
    fields = payload.model_dump()
    if fields["prechat_fields"] is None:
        del fields["prechat_fields"]

    def handler() -> tuple[int, Any]:
        widget = services.create_widget(caller, **fields)
        found = selectors.get_widget(caller, widget.pk)
        return 201, ChatWidgetOut.from_orm(found).model_dump(mode="json")

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/chat-widgets/{widget_id}", response={200: ChatWidgetOut, **errors(403, 404, 422)})
def read_widget(request: HttpRequest, widget_id: Id) -> ChatWidget:
    return _found(request, widget_id)


@router.patch("/chat-widgets/{widget_id}", response={200: ChatWidgetOut, **errors(403, 404, 422)})
def update_widget(request: HttpRequest, widget_id: Id, payload: ChatWidgetUpdateIn) -> ChatWidget:
    """Change the members given; ``active: false`` stops the widget on every site at once."""
    services.update_widget(
        actor(request), widget_id=widget_id, changes=payload.model_dump(exclude_unset=True)
    )
    return _found(request, widget_id)


@router.delete("/chat-widgets/{widget_id}", response={204: None, **errors(403, 404, 409, 422)})
def delete_widget(request: HttpRequest, widget_id: Id) -> Status[None]:
    """Delete a widget that never had a chat; 409 for one that had (deactivate it instead)."""
    services.delete_widget(actor(request), widget_id=widget_id)
    return Status(204, None)
