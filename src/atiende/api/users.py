"""/users: people (staff and customers) and the addresses they are known by."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from atiende.accounts import selectors, services
from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import (
    IdentityIn,
    IdentityOut,
    IdentityPage,
    PageIn,
    UserCreateIn,
    UserFiltersIn,
    UserOut,
    UserPage,
    UserUpdateIn,
)
from atiende.api.schemas.common import Id, errors

router = Router(tags=["users"])


def user_out(request: HttpRequest, user: Any) -> UserOut:
    return UserOut.from_orm(user, context={"request": request})


@router.get("", response={200: UserPage, **errors(422)})
def list_(request: HttpRequest, filters: Query[UserFiltersIn]) -> dict[str, Any]:
    """People by name. Staff see everyone; a customer sees only themselves."""
    page = selectors.list_users(actor(request), **filters.model_dump())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: UserOut, **errors(403, 409, 422)})
def create(request: HttpRequest, payload: UserCreateIn) -> HttpResponse:
    """Admins create agents and admins; agents create customers."""
    caller = actor(request)

    def handler() -> tuple[int, UserOut]:
        fields = payload.model_dump(exclude_unset=True, exclude={"email"})
        user = services.create_user(caller, email=payload.email, **fields)
        return 201, user_out(request, selectors.read_user(caller, user.pk))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/me", response={200: UserOut, **errors()})
def me(request: HttpRequest) -> UserOut:
    caller = actor(request)
    assert caller.user is not None
    return user_out(request, selectors.read_user(caller, caller.user.pk))


@router.get("/{user_id}", response={200: UserOut, **errors(404, 422)})
def read(request: HttpRequest, user_id: Id) -> UserOut:
    return user_out(request, selectors.read_user(actor(request), user_id))


@router.patch("/{user_id}", response={200: UserOut, **errors(403, 404, 409, 422)})
def update(request: HttpRequest, user_id: Id, payload: UserUpdateIn) -> UserOut:
    """Change the fields given. Admins change anything (``is_active: false`` suspends); agents
    a customer's profile; everyone their own name, language and time zone."""
    caller = actor(request)
    changes = payload.model_dump(exclude_unset=True)
    services.update_user(caller, user_id=user_id, changes=changes)
    return user_out(request, selectors.read_user(caller, user_id))


@router.get("/{user_id}/identities", response={200: IdentityPage, **errors(404, 422)})
def list_identities(request: HttpRequest, user_id: Id, page: Query[PageIn]) -> dict[str, Any]:
    """Every address the person is known by, on every channel, oldest first."""
    found = selectors.list_identities(actor(request), user_id, **page.model_dump())
    return {"items": found.items, "next_cursor": found.next_cursor}


@router.post("/{user_id}/identities", response={201: IdentityOut, **errors(403, 404, 409, 422)})
def add_identity(request: HttpRequest, user_id: Id, payload: IdentityIn) -> HttpResponse:
    """Add an address; each address belongs to one person per channel (409 otherwise)."""
    caller = actor(request)

    def handler() -> tuple[int, IdentityOut]:
        identity = services.add_identity(caller, user_id=user_id, **payload.model_dump())
        return 201, IdentityOut.from_orm(identity)

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.delete(
    "/{user_id}/identities/{identity_id}", response={204: None, **errors(403, 404, 409, 422)}
)
def remove_identity(request: HttpRequest, user_id: Id, identity_id: Id) -> Status[None]:
    services.remove_identity(actor(request), user_id=user_id, identity_id=identity_id)
    return Status(204, None)
