"""The help center's pages and files through the reading gate, for each kind of reader."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from atiende.accounts.models import User
from tests.factories import make_customer
from tests.web.help.content import KB, article_url, attach, build_kb

pytestmark = pytest.mark.django_db

Reader = Callable[[KB], Client]


def visitor(kb: KB) -> Client:
    return Client()


def customer(kb: KB) -> Client:
    client = Client()
    client.force_login(make_customer())
    return client


def agent(kb: KB) -> Client:
    client = Client()
    client.force_login(kb.agent)
    return client


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


READERS = {"visitor": visitor, "customer": customer, "agent": agent}


@pytest.fixture
def kb() -> KB:
    return build_kb()


# Which article each reader may read in the help center: drafts and archived texts are read
# only in the editor; internal articles by staff only.
ARTICLES = [
    ("public", {"visitor": 200, "customer": 200, "agent": 200}),
    ("internal", {"visitor": 404, "customer": 404, "agent": 200}),
    ("draft", {"visitor": 404, "customer": 404, "agent": 404}),
    ("archived", {"visitor": 404, "customer": 404, "agent": 404}),
]


@pytest.mark.parametrize("who", list(READERS))
@pytest.mark.parametrize(("which", "expected"), ARTICLES)
def test_article_pages_follow_the_gate(
    kb: KB, who: str, which: str, expected: dict[str, int]
) -> None:
    translation = getattr(kb, which)
    answer = READERS[who](kb).get(article_url(translation))
    assert answer.status_code == expected[who]
    title = translation.title
    if expected[who] == 404:
        assert title not in answer.content.decode()
        # Looks like any missing page: not a "forbidden".
        missing = READERS[who](kb).get("/help/es/articles/999999-nada/")
        assert missing.status_code == 404
    else:
        assert title in answer.content.decode()


# Which article's file each reader may fetch: staff also get the files of drafts.
FILES = [
    ("public", {"visitor": 200, "customer": 200, "agent": 200}),
    ("internal", {"visitor": 404, "customer": 404, "agent": 200}),
    ("draft", {"visitor": 404, "customer": 404, "agent": 200}),
    ("archived", {"visitor": 404, "customer": 404, "agent": 200}),
]


@pytest.mark.parametrize("who", list(READERS))
@pytest.mark.parametrize(("which", "expected"), FILES)
def test_article_files_follow_the_gate(
    kb: KB, who: str, which: str, expected: dict[str, int]
) -> None:
    attachment = attach(getattr(kb, which))
    answer = READERS[who](kb).get(f"/help/files/{attachment.pk}/")
    assert answer.status_code == expected[who]
    if expected[who] == 200:
        assert b"".join(answer.streaming_content).endswith(b" fake")  # type: ignore[attr-defined]


def test_another_customer_reads_public_files_but_never_internal_ones(kb: KB) -> None:
    public, internal = attach(kb.public), attach(kb.internal)
    first, other = signed_in(make_customer()), signed_in(make_customer())
    for client in (first, other):
        assert client.get(f"/help/files/{public.pk}/").status_code == 200
        assert client.get(f"/help/files/{internal.pk}/").status_code == 404
    assert Client().get("/help/files/987654/").status_code == 404


def test_images_show_inline_and_other_files_download_with_safe_headers(kb: KB) -> None:
    image = attach(kb.public)
    page = attach(kb.public, b"<html><script>alert(1)</script></html>", filename="x.html")
    svg = attach(
        kb.public,
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        filename="x.svg",
    )
    shown = Client().get(f"/help/files/{image.pk}/")
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Security-Policy"] == "default-src 'none'; sandbox"
    for attachment in (page, svg):
        answer = Client().get(f"/help/files/{attachment.pk}/")
        assert answer["Content-Type"] == attachment.content_type != "image/png"
        assert answer["Content-Disposition"].startswith("attachment")
        assert answer["X-Content-Type-Options"] == "nosniff"


def test_an_article_shows_our_images_and_not_foreign_ones(kb: KB) -> None:
    from atiende.kb.services import articles
    from tests.factories import SYSTEM, web

    image = attach(kb.public)
    articles.update_translation(
        web(kb.agent),
        translation_id=kb.public.pk,
        revision=kb.public.revision,
        body=f"![Paso](/help/files/{image.pk}/) ![spy](https://t.example/p.gif)",
    )
    articles.publish(SYSTEM, translation_id=kb.public.pk)
    html = Client().get(article_url(kb.public)).content.decode()
    assert f'<img src="/help/files/{image.pk}/" alt="Paso">' in html
    assert "t.example" not in html


@pytest.mark.parametrize("who", list(READERS))
def test_home_and_sections_show_only_what_the_reader_may_read(kb: KB, who: str) -> None:
    client = READERS[who](kb)
    home = client.get("/help/es/").content.decode()
    assert "Cuenta" in home and "Acceso" in home
    internal_shown = who == "agent"
    assert ("Procedimientos internos" in home) is internal_shown
    hidden = client.get(f"/help/es/sections/{kb.hidden_section.pk}-{kb.hidden_section.slug}/")
    assert hidden.status_code == (200 if internal_shown else 404)

    section = client.get(f"/help/es/sections/{kb.section.pk}-{kb.section.slug}/")
    text = section.content.decode()
    assert section.status_code == 200 and "Cambiar la contraseña" in text
    assert "Borrador secreto" not in text and "Artículo retirado" not in text

    category = client.get(f"/help/es/categories/{kb.category.pk}-{kb.category.slug}/")
    assert category.status_code == 200 and "Acceso" in category.content.decode()
    assert ("Procedimientos internos" in category.content.decode()) is internal_shown


def test_names_come_in_the_pages_language(kb: KB) -> None:
    english = Client().get("/help/en/").content.decode()
    assert "Account" in english and "Access" in english and 'lang="en"' in english
    spanish = Client().get("/help/es/").content.decode()
    assert 'lang="es"' in spanish and "Buscar" in spanish  # the interface too
    assert 'action="/help/search/"' in spanish


def test_wrong_or_missing_slugs_redirect_to_the_right_one(kb: KB) -> None:
    right = article_url(kb.public)
    for wrong in (
        f"/help/es/articles/{kb.public.article_id}-otro-titulo/",
        f"/help/es/articles/{kb.public.article_id}/",
        f"/help/es/articles/{kb.public.article_id}-{kb.public_en.slug}/",
    ):
        answer = Client().get(wrong)
        assert (answer.status_code, answer["Location"]) == (301, right)
    section = Client().get(f"/help/es/sections/{kb.section.pk}-x/")
    assert section["Location"] == f"/help/es/sections/{kb.section.pk}-{kb.section.slug}/"


def test_the_article_page_links_its_other_languages_and_breadcrumbs(kb: KB) -> None:
    html = Client().get(article_url(kb.public)).content.decode()
    assert f'href="{article_url(kb.public_en)}"' in html and 'hreflang="en"' in html
    assert f'href="/help/es/sections/{kb.section.pk}-{kb.section.slug}/"' in html
    assert f'href="/help/es/categories/{kb.category.pk}-{kb.category.slug}/"' in html
    assert '<h2 id="pasos">Pasos</h2>' in html and "<em>Perfil</em>" in html
    english = Client().get(article_url(kb.public_en)).content.decode()
    assert "Change your password" in english and "Steps" in english


def test_related_articles_are_listed_only_when_readable(kb: KB) -> None:
    from tests.web.help.content import write

    other = write(kb.agent, kb.section, "Activar la verificación en dos pasos")
    kb.public.article.related.add(other.article, kb.internal.article, kb.draft.article)
    html = Client().get(article_url(kb.public)).content.decode()
    assert "Activar la verificación en dos pasos" in html
    assert "Restablecer cuentas bloqueadas" not in html and "Borrador secreto" not in html
    staff = agent(kb).get(article_url(kb.public)).content.decode()
    assert "Restablecer cuentas bloqueadas" in staff


def test_languages_unknown_or_missing(kb: KB) -> None:
    assert Client().get("/help/fr/").status_code == 404
    assert Client().get("/help/zz/articles/1-x/").status_code == 404
    only_spanish = Client().get(f"/help/en/articles/{kb.internal.article_id}-x/")
    assert only_spanish.status_code == 404
    from tests.web.help.content import write

    spanish = write(kb.agent, kb.section, "Sólo en español")
    answer = Client().get(f"/help/en/articles/{spanish.article_id}-x/")
    assert answer.status_code == 404
    assert article_url(spanish) in answer.content.decode()  # points at the Spanish text


def test_help_root_follows_the_browser_language(kb: KB) -> None:
    assert Client(headers={"accept-language": "es"}).get("/help/")["Location"] == "/help/es/"
    assert Client(headers={"accept-language": "en-US"}).get("/help/")["Location"] == "/help/en/"


def test_pages_carry_the_strict_policy_and_no_inline_script(kb: KB) -> None:
    answer = Client().get(article_url(kb.public))
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "img-src 'self' data:;" in policy  # no remote images, whatever an article says
    scripts = re.findall(r"<script[^>]*>", answer.content.decode())
    assert scripts == ['<script src="/static/web/help/suggest.js" defer>']  # our file, no inline


def test_pages_cost_the_same_queries_however_large_the_outline(kb: KB) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from atiende.kb.services import structure
    from tests.factories import web
    from tests.web.help.content import write

    def cost(url: str) -> int:
        client = Client()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    section_url = f"/help/es/sections/{kb.section.pk}-{kb.section.slug}/"
    before = {url: cost(url) for url in ("/help/es/", section_url)}
    for n in range(3):
        category = structure.create_category(web(kb.agent), names={"es": f"Categoría {n}"})
        section = structure.create_section(
            web(kb.agent), category_id=category.pk, names={"es": f"Sección {n}"}
        )
        write(kb.agent, section, f"Artículo {n}")
        write(kb.agent, kb.section, f"Otro artículo {n}")
    assert {url: cost(url) for url in before} == before
    assert before["/help/es/"] <= 3


@pytest.mark.parametrize(
    "url",
    [
        "/help/es/articles/99999999999999999999999-x/",
        "/help/es/sections/99999999999999999999999-x/",
        "/help/es/categories/99999999999999999999999-x/",
        "/help/files/99999999999999999999999/",
        "/help/es/articles/-1-x/",
    ],
)
def test_guessed_addresses_are_not_found(url: str) -> None:
    assert Client(raise_request_exception=False).get(url).status_code == 404
    assert Client(raise_request_exception=False).post(
        "/help/es/articles/99999999999999999999999/feedback/", {"helpful": "yes"}
    ).status_code in (403, 404)  # no CSRF cookie yet or no such article: never a 500
