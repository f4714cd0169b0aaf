""" "Was this helpful?": one answer per reader and translation, changed by answering again,
only about what the reader may read."""

from __future__ import annotations

import pytest

from atiende.core.errors import Invalid, NotFound
from atiende.kb.models import ArticleFeedback
from atiende.kb.services import feedback
from atiende.kb.services.reading import reader_key
from tests.factories import make_customer, web
from tests.web.help.content import KB, build_kb

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb() -> KB:
    return build_kb()


def test_one_answer_per_reader_and_answering_again_changes_it(kb: KB) -> None:
    visitor = reader_key(user_id=None, session_key="s3ss10n")
    feedback.answer(None, translation_id=kb.public.pk, reader=visitor, helpful=True)
    changed = feedback.answer(
        None, translation_id=kb.public.pk, reader=visitor, helpful=False, comment=" Falta un paso "
    )
    [row] = ArticleFeedback.objects.all()
    assert row.pk == changed.pk
    assert (row.helpful, row.comment, row.user_id) == (False, "Falta un paso", None)


def test_readers_are_told_apart(kb: KB) -> None:
    customer = make_customer()
    keys = [
        reader_key(user_id=None, session_key="one"),
        reader_key(user_id=None, session_key="two"),
        reader_key(user_id=customer.pk, session_key="one"),
    ]
    assert len(set(keys)) == 3 and keys[2] == f"user:{customer.pk}"
    assert "one" not in keys[0] and len(keys[0]) == 64  # the session key is never stored
    for key in keys[:2]:
        feedback.answer(None, translation_id=kb.public.pk, reader=key, helpful=True)
    feedback.answer(web(customer), translation_id=kb.public.pk, reader=keys[2], helpful=False)
    assert ArticleFeedback.objects.filter(translation=kb.public).count() == 3
    assert ArticleFeedback.objects.get(reader=keys[2]).user_id == customer.pk
    # Each translation is answered on its own.
    feedback.answer(None, translation_id=kb.public_en.pk, reader=keys[0], helpful=False)
    assert ArticleFeedback.objects.count() == 4


@pytest.mark.parametrize("which", ["internal", "draft", "archived"])
def test_what_a_reader_cannot_read_takes_no_answer(kb: KB, which: str) -> None:
    translation = getattr(kb, which)
    for who in (None, web(make_customer())):
        with pytest.raises(NotFound):
            feedback.answer(who, translation_id=translation.pk, reader="r", helpful=True)
    with pytest.raises(NotFound):
        feedback.answer(None, translation_id=999999, reader="r", helpful=True)
    assert not ArticleFeedback.objects.exists()


def test_staff_may_answer_internal_articles(kb: KB) -> None:
    feedback.answer(
        web(kb.agent), translation_id=kb.internal.pk, reader=f"user:{kb.agent.pk}", helpful=True
    )
    assert ArticleFeedback.objects.filter(translation=kb.internal).count() == 1


def test_bad_input_names_the_field(kb: KB) -> None:
    with pytest.raises(Invalid) as too_long:
        feedback.answer(
            None, translation_id=kb.public.pk, reader="r", helpful=True, comment="x" * 2001
        )
    assert [e.field for e in too_long.value.errors] == ["comment"]
    with pytest.raises(Invalid) as nobody:
        feedback.answer(None, translation_id=kb.public.pk, reader="", helpful=True)
    assert [e.field for e in nobody.value.errors] == ["reader"]
    assert not ArticleFeedback.objects.exists()
