"""An integrator's view: a client generated from our OpenAPI document drives every operation.

``openapi-python-client`` generates the client in the test; the client talks to the app in
process (WSGI) and is strict about statuses, so an undocumented answer or a body its models
cannot parse fails here. A new operation that the scenario does not drive fails the last
assertion.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_type_hints

import httpx
import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from atiende.accounts import services as accounts
from atiende.api.router import api as ninja_api
from atiende.messaging.inbound.pipeline import process
from tests.api.channels_scenario import drive_channels
from tests.api.chat_widgets_scenario import drive_chat_widgets
from tests.api.conversation_start_scenario import drive_conversation_start
from tests.api.kb_scenario import drive_kb
from tests.factories import SYSTEM, make_admin, make_customer, make_group

pytestmark = pytest.mark.django_db
CONFIG = "content_type_overrides:\n  message/rfc822: application/octet-stream\npost_hooks: []\n"
RAW = b"From: ana@example.com\r\nTo: help@example.com\r\nSubject: Hola\r\n\r\nBody\r\n"
# Two addresses in From: quarantined (an untrustworthy sender header), then held for a decision.
HELD = (
    b"From: ana@example.com, eve@example.net\r\nTo: help@example.com\r\n"
    b"Subject: Revisar\r\nMessage-ID: <held-%d@example.net>\r\n\r\nBody\r\n"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Generate the client package from the schema the server publishes."""
    root = tmp_path_factory.mktemp("client")
    (root / "schema.json").write_text(json.dumps(ninja_api.get_openapi_schema()))
    (root / "config.yaml").write_text(CONFIG)
    tool = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(tool), "generate", "--path", "schema.json", "--output-path", "atiende_client",
         "--meta", "none", "--config", "config.yaml"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "will not be generated" not in done.stdout + done.stderr, done.stdout
    sys.path.insert(0, str(root))
    try:
        yield "atiende_client"
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith("atiende_client")]:
            del sys.modules[name]


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The client calls the WSGI app directly: keep the test transaction's connection open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


class Driver:
    """Calls generated operations by name and remembers which ones were driven."""

    def __init__(self, package: str, token: str) -> None:
        self.package = package
        client_module = importlib.import_module(f"{package}.client")
        self.client = client_module.AuthenticatedClient(
            base_url="http://testserver",
            token=token,
            raise_on_unexpected_status=True,
            httpx_args={"transport": httpx.WSGITransport(app=get_wsgi_application())},
        )
        self.operations: dict[str, Any] = {}
        api_package = importlib.import_module(f"{package}.api")
        for tag in pkgutil.iter_modules(api_package.__path__):
            tag_package = importlib.import_module(f"{package}.api.{tag.name}")
            for op in pkgutil.iter_modules(tag_package.__path__):
                module = importlib.import_module(f"{package}.api.{tag.name}.{op.name}")
                self.operations[op.name.removeprefix("atiende_api_")] = module
        self.driven: set[str] = set()

    def __call__(self, name: str, *args: Any, body: Any = None, ok: int = 200, **kw: Any) -> Any:
        module = self.operations[name]
        if isinstance(body, dict):
            kind = get_type_hints(module.sync_detailed)["body"]
            body = kind.from_dict(body)
        if body is not None:
            kw["body"] = body
        response = module.sync_detailed(*args, client=self.client, **kw)
        assert response.status_code == ok, (name, response.status_code, response.content)
        self.driven.add(name)
        return response.parsed

    def types(self) -> Any:
        return importlib.import_module(f"{self.package}.types")


def test_generated_client_drives_every_operation(
    generated: str, keep_test_connection: None
) -> None:
    admin = make_admin()
    customer = make_customer(email="cliente@example.com")
    group = make_group()
    api = Driver(generated, accounts.create_api_token(SYSTEM, user=admin, name="gen")[1])

    # configuration
    tag = api("config_create_tag", body={"name": "vip"}, ok=201)
    api("config_list_tags")
    api("config_delete_tag", tag.id, ok=204)
    status = api(
        "config_create_status",
        body={"key": "waiting", "name_en": "Waiting", "category": "pending"},
        ok=201,
    )
    api("config_update_status", status.id, body={"name_es": "Esperando"})
    api("config_list_statuses")
    priority = api("config_create_priority", body={"key": "p9", "name_en": "P9"}, ok=201)
    api("config_update_priority", priority.id, body={"order": 90})
    api("config_list_priorities")
    category = api("config_create_category", body={"name_en": "Billing"}, ok=201)
    api("config_update_category", category.id, body={"parent_id": None})
    api("config_list_categories")
    field = api(
        "config_create_custom_field",
        body={"target": "ticket", "key": "plan", "type": "text", "name_en": "Plan"},
        ok=201,
    )
    api("config_update_custom_field", field.id, body={"required": False})
    api("config_list_custom_fields")

    # people
    org = api("organizations_create", body={"name": "ACME", "domains": ["acme.test"]}, ok=201)
    api("organizations_update", org.id, body={"notes": "key account"})
    api("organizations_read", org.id)
    api("organizations_list")
    new_group = api("groups_create", body={"name": "Ventas"}, ok=201)
    api("groups_update", new_group.id, body={"description": "Sales"})
    api("groups_read", new_group.id)
    api("groups_list")
    user = api("users_create", body={"email": "nuevo@acme.test", "name": "Nuevo"}, ok=201)
    api("users_update", user.id, body={"organization_id": org.id})
    api("users_read", user.id)
    api("users_list")
    api("users_me")
    identity = api(
        "users_add_identity", user.id, body={"channel": "phone", "value": "+34600000000"}, ok=201
    )
    api("users_list_identities", user.id)
    api("users_remove_identity", user.id, identity.id, ok=204)
    token = api("tokens_create", body={"name": "second"}, ok=201, idempotency_key="tok-1")
    api("tokens_read", token.id)
    api("tokens_list")
    api("tokens_revoke", token.id, ok=204)

    # tickets and their conversation
    body = {"subject": "No puedo entrar", "body": "Hola", "requester_id": customer.pk}
    ticket = api("tickets_create", body={**body, "group_id": group.pk}, ok=201)
    other = api("tickets_create", body=body, ok=201, idempotency_key="t-2")
    api("tickets_read", ticket.id)
    api("tickets_list", sort=api.operations["tickets_list"].AtiendeApiTicketsListSort("number"))
    ticket = api("tickets_update", ticket.id, body={"version": ticket.version, "priority": "high"})
    file_type = api.types().File
    upload_params = get_type_hints(api.operations["conversation_upload_attachment"].sync_detailed)
    files = upload_params["body"](file=file_type(payload=b"hello", file_name="a.txt"))
    attachment = api("conversation_upload_attachment", ticket.id, body=files, ok=201)
    message = api(
        "conversation_create_message",
        ticket.id,
        body={"body": "Te ayudo", "attachment_ids": [attachment.id]},
        ok=201,
    )
    api("conversation_list_messages", ticket.id)
    api("conversation_download_attachment", attachment.id)
    api("conversation_retry_delivery", ticket.id, message.id, ok=404)  # not emailed (no mailbox)
    related = {"target_id": other.id, "kind": "related"}
    link = api("conversation_create_link", ticket.id, body=related, ok=201)
    api("conversation_list_links", ticket.id)
    api("conversation_delete_link", ticket.id, link.id, ok=204)
    api("tickets_bulk", body={"ids": [ticket.id], "action": "priority", "priority": "low"})
    api("tickets_events", ticket.id)
    api("tickets_merge", other.id, body={"target_id": ticket.id})

    # mailboxes, the raw upload included
    mailbox = api(
        "mailboxes_create",
        body={"address": "help@example.com", "inbound_method": "upload"},
        ok=201,
    )
    api("mailboxes_update", mailbox.id, body={"display_name": "Ayuda"})
    api("mailboxes_read", mailbox.id)
    api("mailboxes_list")
    api("mailboxes_test_connection", mailbox.id)
    raw = file_type(payload=RAW, file_name="m.eml", mime_type="message/rfc822")
    stored = api("mailboxes_upload_message", mailbox.id, body=raw, ok=202)
    assert stored.duplicate is False

    # mail held off every ticket: listed, read, retried, released, discarded
    held = [
        api(
            "mailboxes_upload_message",
            mailbox.id,
            body=file_type(payload=HELD % n, file_name="h.eml", mime_type="message/rfc822"),
            ok=202,
        )
        for n in (1, 2)
    ]
    # The upload queues the pipeline for the worker; run it here, as the worker would.
    assert {process(h.id).state for h in held} == {"quarantined"}
    api("inbound_list")
    api("inbound_read", held[0].id)
    api("inbound_retry", held[0].id)
    assert api("inbound_release", held[0].id, idempotency_key="rel-1").ticket_id is not None
    api("inbound_discard", held[1].id)

    # issue 14: calendars, SLA policies, rules, macros, assignment and availability
    drive_automation(api, group.pk, ticket.id)
    drive_kb(api)  # issue 15: knowledge-base authoring
    drive_forms(api)  # issue 15: ticket forms
    drive_surveys(api, ticket.id)  # issue 15: satisfaction
    drive_kb_search(api)  # issue 15: knowledge-base search
    drive_channels(api, group.pk)  # issue 16: channel accounts
    drive_conversation_start(api, group.pk)  # issue 16: an agent writes first
    drive_chat_widgets(api, group.pk)  # issue 16: chat widgets

    assert api.driven == set(api.operations), set(api.operations) - api.driven


def drive_automation(api: Driver, group_id: int, ticket_id: int) -> None:
    hours = {"monday": [["09:00", "13:00"], ["14:00", "18:00"]]}
    calendar = api(
        "calendars_create_calendar",
        body={"name": "Oficina", "time_zone": "America/Santiago", "hours": hours,
              "holidays": [{"date": "2026-12-24", "yearly": True, "name": "Nochebuena"}]},
        ok=201,
    )  # fmt: skip
    api("calendars_update_calendar", calendar.id, body={"holiday_country": "CL"})
    api("calendars_read_calendar", calendar.id)
    api("calendars_list_calendars")
    api("calendars_next_opening", calendar.id)
    api("calendars_set_group_calendar", group_id, body={"calendar_id": calendar.id})
    api("calendars_read_group_calendar", group_id)
    level = {
        "kind": "first_reply",
        "level": 1,
        "actions": [{"type": "add_tags", "value": ["late"]}],
    }
    policy = api(
        "sla_policies_create_policy",
        body={"name": "Standard", "escalations": [level],
              "targets": [{"priority": "normal", "kind": "first_reply", "minutes": 60}]},
        ok=201,
    )  # fmt: skip
    api("sla_policies_update_policy", policy.id, body={"calendar_id": calendar.id})
    api("sla_policies_read_policy", policy.id)
    listed = api("sla_policies_list_policies")
    ids = [p.id for p in listed.items if p.id != policy.id]  # the shipped policy, then ours
    api("sla_policies_reorder_policies", body={"ids": [*ids, policy.id]})
    api("sla_policies_ticket_sla", ticket_id)
    api("sla_policies_delete_policy", policy.id, ok=204)
    api("calendars_delete_calendar", calendar.id, ok=204)

    rule = {
        "name": "Facturas",
        "conditions": {"all": [{"field": "subject", "operator": "contains", "value": "factura"}]},
        "actions": [{"type": "add_tags", "value": ["billing"]}],
    }
    trigger = api("triggers_create_trigger", body=rule, ok=201)
    api("triggers_update_trigger", trigger.id, body={"active": False})
    api("triggers_read_trigger", trigger.id)
    ids = [t.id for t in api("triggers_list_triggers").items]
    api("triggers_reorder_triggers", body={"ids": list(reversed(ids))})
    api("triggers_dry_run_trigger", trigger.id, body={"ticket_id": ticket_id})
    definition = {
        "ticket_id": ticket_id,
        "conditions": rule["conditions"],
        "actions": rule["actions"],
    }
    api("triggers_dry_run_definition", body=definition)
    api("triggers_delete_trigger", trigger.id, ok=204)
    timed = api(
        "triggers_create_automation",
        body={"name": "Close solved", "condition": "status", "status_category": "solved",
              "minutes": 5760, "actions": [{"type": "set_status", "value": "closed"}]},
        ok=201,
    )  # fmt: skip
    api("triggers_update_automation", timed.id, body={"minutes": 60})
    api("triggers_read_automation", timed.id)
    api("triggers_list_automations")
    api("triggers_delete_automation", timed.id, ok=204)
    api("vocabulary_actions")
    api("vocabulary_conditions")

    macro = api(
        "macros_create_macro",
        body={"name": "Gracias", "body": "Hola {{ customer.first_name }}",
              "actions": [{"type": "add_tags", "value": ["thanked"]}]},
        ok=201,
    )  # fmt: skip
    api("macros_update_macro", macro.id, body={"name": "Gracias!"})
    api("macros_read_macro", macro.id)
    api("macros_list_macros")
    api("macros_apply_macro", ticket_id, macro.id, body={})
    api("macros_delete_macro", macro.id, ok=204)

    api("availability_set_assignment", group_id, body={"strategy": "least_load"})
    api("availability_read_assignment", group_id)
    api("availability_set_availability", body={"status": "online", "capacity": 10})
    me = api("availability_read_availability")
    period = api(
        "availability_add_out_of_office",
        me.user_id,
        body={"starts_at": "2999-01-01T00:00:00Z", "ends_at": "2999-01-10T00:00:00Z"},
        ok=201,
    )
    api("availability_read_out_of_office", me.user_id, period.id)
    api("availability_list_out_of_office", me.user_id)
    api("availability_end_out_of_office", me.user_id, period.id, ok=204)


def drive_kb_search(api: Driver) -> None:
    found = api("kb_search_kb_search", q="contraseña", lang="es")
    assert found is not None


def drive_surveys(api: Driver, ticket_id: int) -> None:
    assert api("surveys_update_settings", body={"csat_scale": "five"}).csat_scale == "five"
    api("surveys_read_settings")
    api("surveys_summary")
    assert api("surveys_ticket_ratings", ticket_id) is not None


def drive_forms(api: Driver) -> None:
    fields = [{"key": "subject", "required": True}, {"key": "description"}]
    form = api("forms_create_form", body={"slug": "soporte", "name_es": "Soporte",
                                          "fields": fields}, ok=201)  # fmt: skip
    api("forms_update_form", form.id, body={"position": 1})
    api("forms_read_form", form.id)
    api("forms_list_forms")
    answers = {"data": {"subject": "No imprime", "description": "Nada sale"}}
    api("forms_submit", form.id, body=answers, ok=201)
    api("forms_delete_form", form.id, ok=204)
