"""Matching tickets by text: subjects, messages, notes, stemming, accents, scoping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atiende.search.tickets import filter_tickets, index_ticket
from atiende.tickets import services
from atiende.tickets.selectors import visible_tickets
from tests.factories import SYSTEM, make_customer, web
from tests.search.conftest import MakeIndexed, found, indexed_ids, postgresql_only

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("match_mode")]


def test_matches_words_of_the_subject_and_of_messages(indexed: MakeIndexed) -> None:
    printer = indexed("Printer on floor 3", "It jams every morning.")
    vpn = indexed("VPN disconnects", "Since the upgrade, the tunnel drops.")
    assert found("printer") == {printer.pk}
    assert found("jams") == {printer.pk}
    assert found("TUNNEL") == {vpn.pk}
    assert found("keyboard") == set()


def test_every_word_must_match_anywhere_in_the_ticket(indexed: MakeIndexed) -> None:
    both = indexed("Printer", "The toner is empty.")
    indexed("Printer", "Paper jam.")
    assert found("printer toner") == {both.pk}
    assert found("toner printer") == {both.pk}


def test_last_word_matches_as_a_prefix(indexed: MakeIndexed) -> None:
    ticket = indexed("Unreachable server", "The hostname resolves nowhere.")
    assert found("unreachable hostn") == {ticket.pk}
    assert found("unreachable hostn ") == set()  # a finished word is not a prefix


def test_english_stemming(indexed: MakeIndexed) -> None:
    ticket = indexed("Printer offline", "Our printing stopped.")
    assert found("printers") == {ticket.pk}
    assert found("print") == {ticket.pk}


def test_plural_in_spanish(indexed: MakeIndexed) -> None:
    ticket = indexed("La impresora no imprime", "Ninguna canción suena.")
    assert found("impresoras") == {ticket.pk}
    assert found("canciones") == {ticket.pk}


@postgresql_only
def test_spanish_stemming(indexed: MakeIndexed) -> None:
    ticket = indexed("Facturación", "Las facturas llegaron duplicadas.")
    assert found("factura duplicada") == {ticket.pk}
    assert found("llegar") == {ticket.pk}


def test_accents_do_not_matter(indexed: MakeIndexed) -> None:
    ticket = indexed("Canción", "El corazón de la aplicación.")
    assert found("cancion") == {ticket.pk}
    assert found("CANCIÓN") == {ticket.pk}
    assert found("corazon") == {ticket.pk}
    assert found("aplicacion") == {ticket.pk}


@pytest.mark.parametrize(
    "query",
    ["vazquez", "VAZQUEZ", "Vázquez", "VÁZQUEZ", "vázquez", "Vazq", "vázq", "Va\u0301zquez"],
)
def test_names_match_with_and_without_accents_both_ways(indexed: MakeIndexed, query: str) -> None:
    accented = indexed("Llamada de Ramón Vázquez", "Pide la factura de España.")
    plain = indexed("Llamada de Ramon Vazquez", "Pide la factura de Espana.")
    decomposed = indexed("Nota de Va\u0301zquez", "Texto escrito en un Mac.")
    assert found(query) == {accented.pk, plain.pk, decomposed.pk}
    assert found("españa") == found("espana") == {accented.pk, plain.pk}
    assert found("ramón vázquez") == found("RAMON VAZQUEZ") == {accented.pk, plain.pk}


def test_internal_notes_match_only_when_asked(indexed: MakeIndexed) -> None:
    ticket = indexed("Refund", "Please refund my order.", note="Customer is a known fraudster.")
    assert found("fraudster", include_internal=True) == {ticket.pk}
    assert found("fraudster", include_internal=False) == set()
    assert found("refund fraudster", include_internal=False) == set()
    assert found("refund fraud", include_internal=False) == set()
    assert found("refund", include_internal=False) == {ticket.pk}


def test_search_stays_within_the_scope_given(indexed: MakeIndexed) -> None:
    alice, bob = make_customer(), make_customer()
    mine = indexed("Broken laptop", requester=alice)
    indexed("Broken laptop", requester=bob)
    tickets = filter_tickets(visible_tickets(web(alice)), "laptop", include_internal=False)
    assert list(tickets) == [mine]


def test_ordering_and_slicing_stay_with_the_caller(indexed: MakeIndexed) -> None:
    tickets = [indexed(f"Disk full {n}") for n in range(3)]
    queryset = filter_tickets(visible_tickets(SYSTEM), "disk", include_internal=True)
    newest = queryset.order_by("-created_at", "-pk")[:2]
    assert list(newest) == [tickets[2], tickets[1]]


def test_nested_and_combined_querysets(indexed: MakeIndexed) -> None:
    """Callers nest the result in other queries (aliases change) and OR it with more."""
    hit, other = indexed("Battery swollen"), indexed("Screen cracked")
    matched = filter_tickets(visible_tickets(SYSTEM), "battery", include_internal=False)
    nested = visible_tickets(SYSTEM).filter(pk__in=matched.values("pk"))
    assert list(nested) == [hit]
    either = matched | visible_tickets(SYSTEM).filter(number=other.number)
    assert set(either) == {hit, other}


@pytest.mark.parametrize("query", ["", "   ", "*", "\"'", "- * ()", "\x00"])
def test_a_query_without_words_is_no_filter(indexed: MakeIndexed, query: str) -> None:
    indexed("Anything")
    queryset = visible_tickets(SYSTEM)
    assert filter_tickets(queryset, query, include_internal=False) is queryset


def test_new_messages_and_subject_changes_are_indexed(
    indexed: MakeIndexed, on_commit: Callable[..., Any]
) -> None:
    ticket = indexed("Old title")
    with on_commit():
        services.add_message(SYSTEM, ticket_id=ticket.pk, body="The fan rattles.")
        services.update_ticket(
            SYSTEM, ticket_id=ticket.pk, version=None, changes={"subject": "Noisy laptop"}
        )
    assert found("rattles") == {ticket.pk}
    assert found("noisy") == {ticket.pk}
    assert found("old title ") == set()


def test_index_ticket_drops_a_deleted_ticket(indexed: MakeIndexed) -> None:
    ticket, kept = indexed("Ephemeral"), indexed("Durable")
    ticket_id = ticket.pk
    services.delete_ticket(SYSTEM, ticket_id=ticket.pk)
    index_ticket(ticket_id)
    index_ticket(10**12)  # never existed
    assert indexed_ids() == {kept.pk}
