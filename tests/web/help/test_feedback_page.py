"""The article page's "was this helpful" form: CSRF, one answer per reader, limits."""

from __future__ import annotations

import pytest
from django.test import Client

from atiende.kb.models import ArticleFeedback
from atiende.web.help import limits
from tests.factories import make_customer
from tests.web.help.content import KB, article_url, build_kb

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb() -> KB:
    return build_kb()


def feedback_url(kb: KB, article_id: int | None = None) -> str:
    return f"/help/es/articles/{article_id or kb.public.article_id}/feedback/"


def test_a_visitor_answers_then_changes_the_answer(kb: KB) -> None:
    client = Client()
    client.get(article_url(kb.public))
    answer = client.post(feedback_url(kb), {"helpful": "yes"})
    assert answer.status_code == 302
    assert answer["Location"] == article_url(kb.public) + "?feedback=thanks#feedback"
    page = client.get(answer["Location"]).content.decode()
    assert 'value="yes" aria-pressed="true"' in page and 'role="status"' in page

    client.post(feedback_url(kb), {"helpful": "no", "comment": "No encuentro el menú"})
    [row] = ArticleFeedback.objects.all()
    assert (row.helpful, row.comment) == (False, "No encuentro el menú")
    page = client.get(article_url(kb.public)).content.decode()
    assert 'value="no" aria-pressed="true"' in page and "No encuentro el menú" in page

    Client().post(feedback_url(kb), {"helpful": "yes"})  # another visitor
    assert ArticleFeedback.objects.count() == 2


def test_a_customer_answers_as_themselves(kb: KB) -> None:
    customer = make_customer()
    client = Client()
    client.force_login(customer)
    client.post(feedback_url(kb), {"helpful": "yes"})
    client.post(feedback_url(kb), {"helpful": "yes", "comment": "Gracias"})
    [row] = ArticleFeedback.objects.all()
    assert (row.user_id, row.reader, row.comment) == (customer.pk, f"user:{customer.pk}", "Gracias")


def test_the_form_is_csrf_protected(kb: KB) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(article_url(kb.public))
    assert "csrfmiddlewaretoken" in page.content.decode()
    assert client.post(feedback_url(kb), {"helpful": "yes"}).status_code == 403
    token = client.cookies["csrftoken"].value
    answer = client.post(feedback_url(kb), {"helpful": "yes", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302 and ArticleFeedback.objects.count() == 1


@pytest.mark.parametrize("which", ["internal", "draft", "archived"])
def test_no_answer_about_what_the_reader_cannot_read(kb: KB, which: str) -> None:
    translation = getattr(kb, which)
    answer = Client().post(feedback_url(kb, translation.article_id), {"helpful": "yes"})
    assert answer.status_code == 404
    assert not ArticleFeedback.objects.exists()


def test_bad_answers_are_shown_next_to_the_form(kb: KB) -> None:
    maybe = Client().post(feedback_url(kb), {"helpful": "maybe"})
    assert maybe.status_code == 400 and 'role="alert"' in maybe.content.decode()
    long = Client().post(feedback_url(kb), {"helpful": "no", "comment": "x" * 2001})
    assert long.status_code == 400 and 'aria-describedby="feedback-error"' in long.content.decode()
    assert Client().get(feedback_url(kb)).status_code == 405
    assert not ArticleFeedback.objects.exists()


def test_one_address_is_limited(kb: KB, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "FEEDBACK_LIMIT", 3)
    answers = [Client().post(feedback_url(kb), {"helpful": "yes"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert ArticleFeedback.objects.count() == 3
    other = Client(REMOTE_ADDR="10.0.0.9").post(feedback_url(kb), {"helpful": "no"})
    assert other.status_code == 302
