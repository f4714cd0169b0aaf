"""The semantic app's public API: encoder, stored vectors, nearest, fusion."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from django.db import connections

from atiende.semantic import encoder, matrix, services
from atiende.semantic.fusion import reciprocal_rank_fusion
from atiende.semantic.models import Embedding
from atiende.semantic.selectors import nearest, vector_of
from atiende.semantic.services import Text

pytestmark = pytest.mark.django_db

ENGLISH = [
    "How to reset your password when you forgot it",
    "Shipping costs and delivery times to Canada",
    "Requesting a refund for a damaged product",
    "Changing the billing address on an invoice",
    "Exporting your contacts to a spreadsheet",
    "Setting up two-factor authentication on your phone",
]


def test_encode_gives_unit_vectors_of_512_floats() -> None:
    vectors = encoder.encode(["¿Cómo cambio mi contraseña?", "Where is my parcel?", "  "])
    assert vectors is not None
    assert vectors.shape == (3, encoder.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-4)
    assert not vectors[2].any()  # an empty text gives a zero row, not noise
    assert encoder.available()


def test_long_texts_are_cut_at_a_word() -> None:
    text = "palabra " * 1000
    cut = encoder.truncate(text)
    assert len(cut) <= encoder.MAX_CHARS and cut.endswith("palabra")
    assert encoder.truncate("  a   b \n c ") == "a b c"


def test_a_spanish_question_finds_the_english_text_that_answers_it() -> None:
    services.index_many("article", [Text(i, "en", text) for i, text in enumerate(ENGLISH, start=1)])
    assert [i for i, _ in nearest("article", "Olvidé mi contraseña, ¿cómo la cambio?", 1)] == [1]
    assert nearest("article", "¿Cuánto cuesta el envío a Canadá?", 1)[0][0] == 2
    assert nearest("article", "Quiero que me devuelvan el dinero, llegó roto", 1)[0][0] == 3


def test_nearest_keeps_to_restrict_to_and_k() -> None:
    services.index_many("article", [Text(i, "en", text) for i, text in enumerate(ENGLISH, start=1)])
    found = nearest("article", "olvidé mi contraseña", 3, restrict_to={2, 3, 4, 99})
    assert len(found) == 3 and {i for i, _ in found} <= {2, 3, 4}
    assert found == sorted(found, key=lambda hit: -hit[1])
    assert nearest("article", "olvidé mi contraseña", 5, restrict_to=set()) == []
    assert len(nearest("article", "olvidé mi contraseña", 50, restrict_to=range(1, 7))) == 6
    assert nearest("ticket", "olvidé mi contraseña", 5) == []  # another kind


def test_a_vector_query_and_a_stored_vector() -> None:
    services.index("article", 7, "en", ENGLISH[0])
    services.index("article", 8, "en", ENGLISH[1])
    stored = vector_of("article", 7)
    assert stored is not None and stored.shape == (encoder.DIMENSIONS,)
    [(best, similarity)] = nearest("article", stored * 3.0, 1)
    assert best == 7 and similarity == pytest.approx(1.0, abs=1e-2)
    with pytest.raises(ValueError, match="dimensions"):
        nearest("article", np.ones(3), 1)


def test_reindexing_replaces_and_dropping_forgets() -> None:
    services.index("article", 1, "en", ENGLISH[0])
    services.index("article", 1, "en", ENGLISH[1])
    assert Embedding.objects.filter(kind="article").count() == 1
    assert nearest("article", "envío a Canadá", 1)[0][0] == 1
    services.drop("article", 1)
    assert nearest("article", "envío a Canadá", 1) == []
    assert vector_of("article", 1) is None
    services.index("article", 2, "en", "   ")  # nothing to say: not indexed
    assert nearest("article", "envío", 3) == []


def test_the_process_matrix_reloads_only_what_changed() -> None:
    """The per-process copy follows the table through the generation counter: new rows,
    replaced rows and drops arrive without a full reload."""
    alias = "default"
    services.index_many("ticket", [Text(i, "es", ENGLISH[i - 1]) for i in (1, 2, 3)])
    held = matrix.current("ticket", alias)
    assert len(held) == 3 and held.generation == 1
    services.index("ticket", 4, "en", ENGLISH[3])
    services.drop("ticket", 2)
    again = matrix.current("ticket", alias)
    assert again is held and len(again) == 3 and again.generation == 3
    query = encoder.encode(["envío a Canadá"])
    assert query is not None
    assert 2 not in {i for i, _ in again.nearest(query[0], 10, None)}
    services.index("ticket", 5, "en", ENGLISH[4])  # reuses the freed row
    assert len(matrix.current("ticket", alias)) == 4 and held.used == 4


def test_the_matrix_grows_past_its_first_capacity() -> None:
    rng = np.random.default_rng(1)
    held = matrix.KindMatrix()
    vectors = rng.standard_normal((3000, encoder.DIMENSIONS)).astype(np.float16)
    held.apply((i, vectors[i].tobytes(), encoder.MODEL_VERSION) for i in range(3000))
    held.apply([(5, b"", encoder.MODEL_VERSION), (6, vectors[6].tobytes(), "old-model")])
    query = vectors[2999].astype(np.float32)
    [(best, _)] = held.nearest(query / np.linalg.norm(query), 1, None)
    assert len(held) == 2998 and best == 2999
    many = held.nearest(query, 3000, range(0, 3000, 2))
    assert len(many) == 1499 and all(i % 2 == 0 and i != 6 for i, _ in many)


@pytest.mark.django_db(transaction=True)
def test_a_write_by_another_connection_reaches_this_process_matrix() -> None:
    services.index_many("ticket", [Text(1, "en", ENGLISH[0]), Text(2, "en", ENGLISH[1])])
    assert nearest("ticket", "envío a Canadá", 1)[0][0] == 2

    def other_process() -> None:
        try:
            services.index("ticket", 3, "en", "Shipping to Canada: prices and delivery days")
            services.drop("ticket", 2)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_process)
    worker.start()
    worker.join()
    assert nearest("ticket", "envío a Canadá", 1)[0][0] == 3


def test_off_or_broken_encoder_gives_none_and_nothing_is_indexed(
    settings: Any, encoder_unavailable: None
) -> None:
    assert encoder.encode(["hola"]) is None and not encoder.available()
    assert services.index("article", 1, "en", ENGLISH[0]) is False
    assert nearest("article", "hola", 5) == []
    assert not Embedding.objects.exists()


def test_the_setting_switches_it_off(settings: Any) -> None:
    settings.ATIENDE_SEMANTIC = "off"
    assert encoder.encode(["hola"]) is None and not encoder.available()
    settings.ATIENDE_SEMANTIC = "on"
    assert encoder.available()


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([1, 2, 3], [3, 1, 4], k=60)
    assert [i for i, _ in fused] == [1, 3, 2, 4]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert reciprocal_rank_fusion([5, 5, 6]) == reciprocal_rank_fusion([5, 6])
    assert reciprocal_rank_fusion() == []
    assert [i for i, _ in reciprocal_rank_fusion([7, 8], [8, 7])] == [7, 8]  # ties: first seen


def test_precomputed_vectors_take_the_same_write_path() -> None:
    vectors = encoder.encode(ENGLISH[:2])
    assert vectors is not None
    assert services.index_vectors("ticket", [Text(1, "en", ""), Text(2, "en", "")], vectors) == 2
    assert nearest("ticket", "envío a Canadá", 1)[0][0] == 2
    with pytest.raises(ValueError, match="one vector"):
        services.index_vectors("ticket", [Text(3, "en", "")], vectors)
