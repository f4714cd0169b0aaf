"""The offline detector: our languages when sure, None when the text cannot say."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import LazySettings

from atiende.core.language import default_language, detect, or_default


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, no puedo entrar en mi cuenta desde ayer, ¿me ayudan?", "es"),
        ("Buenos días, el pedido 1234 no ha llegado todavía", "es"),
        ("Necesito ayuda con la factura de octubre", "es"),
        ("Hello, I cannot sign in to my account since yesterday.", "en"),
        ("The invoice for October is wrong, please check it", "en"),
    ],
)
def test_sure_texts_in_our_languages(text: str, language: str) -> None:
    assert detect(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ok",
        "Thanks!",
        "Gracias",
        "1234 5678 !!!",
        "https://example.com/some/long/path/for/the/detector ana@example.com",
        "Bonjour, je ne peux pas me connecter à mon compte",  # a language we do not ship
        "Bom dia, não consigo entrar na minha conta desde ontem",
        "La impresora no imprime",  # short and close to Portuguese: unsure
    ],
)
def test_short_foreign_or_unsure_texts_give_none(text: str) -> None:
    assert detect(text) is None


def test_the_default_is_the_instances_in_a_shipped_form(settings: LazySettings) -> None:
    settings.LANGUAGE_CODE = "es"
    assert default_language() == "es" and or_default("") == "es" and or_default("en") == "en"
    settings.LANGUAGE_CODE = "en"
    assert or_default("") == "en" and or_default("xx") == "en" and or_default("es") == "es"


def test_an_instance_without_configuration_speaks_spanish() -> None:
    """The shipped default (decision 0005): ``LANGUAGE_CODE`` unset means Spanish."""
    env = {k: v for k, v in os.environ.items() if k != "LANGUAGE_CODE"}
    env["DJANGO_SETTINGS_MODULE"] = "atiende.settings"
    code = "from django.conf import settings; print(settings.LANGUAGE_CODE)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "es"


def test_detecting_reads_past_eighty_characters_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The library's default cuts at 80 characters and logs each cut: a line per message."""
    text = "Ref. 2026-12-06 " + "=" * 70 + " Buenos días, el pedido de la semana pasada no llega."
    with caplog.at_level("DEBUG"):
        assert detect(text) == "es"
    assert not caplog.records
