"""The knowledge-base editor in the workspace: who reaches it, errors next to fields,
conflicts, safe preview, history with diff and restore, ticket to article."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.kb.models import ArticleTranslation, ArticleVersion, Category
from atiende.kb.services import articles, structure
from atiende.tickets import services as tickets
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft() -> ArticleTranslation:
    system = Actor.system("tests")
    category = structure.create_category(system, names={"es": "Cuenta", "en": "Account"})
    section = structure.create_section(system, category_id=category.pk, names={"en": "Access"})
    return articles.create_article(
        web(make_agent()), section_id=section.pk, language="en", title="Reset", body="one"
    )


def _screens(draft: ArticleTranslation) -> list[str]:
    return [
        reverse("kb-articles"),
        reverse("kb-article-new"),
        reverse("kb-review"),
        reverse("kb-outline"),
        reverse("kb-editor", args=[draft.pk]),
        reverse("kb-history", args=[draft.pk]),
        reverse("kb-settings", args=[draft.pk]),
        reverse("kb-translate", args=[draft.pk]),
        reverse("kb-outline-edit", args=["section", draft.article.section_id]),
    ]


def test_customers_and_visitors_reach_no_editor_screen(draft: ArticleTranslation) -> None:
    customer = signed_in(make_customer())
    for url in _screens(draft):
        assert customer.get(url).status_code == 403, url
        assert Client().get(url).status_code == 302, url  # to sign-in
    assert (
        customer.post(reverse("kb-action", args=[draft.pk]), {"action": "submit"}).status_code
        == 403
    )
    assert ArticleTranslation.objects.get(pk=draft.pk).state == "draft"


def test_an_agent_sees_every_screen_and_a_missing_article_is_404(draft: ArticleTranslation) -> None:
    agent = signed_in(make_agent())
    for url in _screens(draft):
        response = agent.get(url)
        assert response.status_code == 200, url
    assert agent.get(reverse("kb-editor", args=[10**6])).status_code == 404
    page = agent.get(reverse("kb-articles"), {"state": "draft", "language": "en"}).content.decode()
    assert "Reset" in page
    assert "Reset" not in agent.get(reverse("kb-articles"), {"state": "published"}).content.decode()


def test_bad_input_is_named_next_to_its_field(draft: ArticleTranslation) -> None:
    agent = signed_in(make_agent())
    response = agent.post(
        reverse("kb-article-new"),
        {
            "section": draft.article.section_id,
            "language": "en",
            "title": "",
            "visibility": "public",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors["title"]
    taken = articles.create_article(
        web(make_agent()), section_id=draft.article.section_id, language="en", title="Taken"
    )
    response = agent.post(
        reverse("kb-editor", args=[draft.pk]),
        {"revision": draft.revision, "title": "Reset", "slug": taken.slug, "body": "x"},
    )
    assert response.status_code == 422
    assert "Another article uses this address" in response.context["form"].errors["slug"][0]
    outline = agent.post(reverse("kb-outline"), {"kind": "category", "category-name_es": " "})
    assert outline.status_code == 422
    assert outline.context["category_form"].errors
    assert Category.objects.count() == 1
    category = Category.objects.get()
    renamed = agent.post(
        reverse("kb-outline-edit", args=["category", category.pk]),
        {"name_es": "Mi cuenta", "name_en": "", "position": 3},
    )
    assert renamed.status_code == 302
    category.refresh_from_db()
    assert (category.names, category.position) == ({"es": "Mi cuenta"}, 3)
    blank = agent.post(reverse("kb-outline-edit", args=["category", category.pk]), {})
    assert blank.status_code == 422 and blank.context["form"].errors
    assert agent.get(reverse("kb-outline-edit", args=["shelf", category.pk])).status_code == 404


def test_a_stale_editor_gets_a_conflict_instead_of_overwriting(draft: ArticleTranslation) -> None:
    first, second = signed_in(make_agent()), signed_in(make_agent())
    fields = {"revision": draft.revision, "title": "Reset", "slug": draft.slug}
    saved = first.post(reverse("kb-editor", args=[draft.pk]), {**fields, "body": "first"})
    assert saved.status_code == 302
    stale = second.post(reverse("kb-editor", args=[draft.pk]), {**fields, "body": "second"})
    assert stale.status_code == 409
    assert "Someone else saved this article" in stale.content.decode()
    assert ArticleTranslation.objects.get(pk=draft.pk).body == "first"


def test_the_preview_renders_scripts_iframes_and_javascript_links_inert(
    draft: ArticleTranslation,
) -> None:
    agent = signed_in(make_agent())
    hostile = (
        "<script>alert(1)</script>\n\n<iframe src='https://evil.example'></iframe>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    response = agent.post(
        reverse("kb-editor", args=[draft.pk]),
        {"revision": draft.revision, "title": "Reset", "slug": draft.slug, "body": hostile,
         "action": "preview"},
    )  # fmt: skip
    assert response.status_code == 200
    preview = str(response.context["preview"])
    assert "<script" not in preview and "<iframe" not in preview and "<img" not in preview
    assert 'href="javascript' not in preview and "[click](javascript:alert(1))" in preview
    assert "&lt;script&gt;" in preview  # shown as the text it is
    assert ArticleTranslation.objects.get(pk=draft.pk).body == "one"  # a preview saves nothing


def test_history_shows_a_diff_and_only_admins_restore(draft: ArticleTranslation) -> None:
    admin_user = make_admin()
    admin = web(admin_user)
    articles.publish(admin, translation_id=draft.pk)
    articles.update_translation(
        admin, translation_id=draft.pk, revision=draft.revision, body="<b>two</b>"
    )
    articles.publish(admin, translation_id=draft.pk)
    agent = signed_in(make_agent())
    url = reverse("kb-history", args=[draft.pk])
    page = agent.get(url, {"old": 1, "new": 2}).content.decode()
    assert '<del class="diff-removed">' in page and "&lt;b&gt;two&lt;/b&gt;" in page
    assert "Restore version 1" not in page
    agent.post(reverse("kb-restore", args=[draft.pk, 1]))
    assert ArticleVersion.objects.filter(translation=draft).count() == 2
    assert agent.get(url, {"old": "x", "new": 2}).status_code == 422

    restored = signed_in(admin_user).post(reverse("kb-restore", args=[draft.pk, 1]), follow=True)
    assert "Version 1 restored as version 3." in restored.content.decode()
    assert ArticleTranslation.objects.get(pk=draft.pk).published_body == "one"


def test_the_ticket_page_turns_a_ticket_into_a_draft_and_opens_it(
    draft: ArticleTranslation,
) -> None:
    group = make_group()
    user = make_agent(group)
    ticket = make_ticket(subject="Cannot sign in", body="I forgot my key", group_id=group.pk)
    tickets.reply(web(user), ticket_id=ticket.pk, body="Use the reset link.")
    agent = signed_in(user)
    page = agent.get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert reverse("kb-from-ticket", args=[ticket.pk]) in page
    response = agent.post(reverse("kb-from-ticket", args=[ticket.pk]))
    created = ArticleTranslation.objects.get(article__source_ticket_id=ticket.pk)
    assert response.status_code == 302 and response["Location"] == reverse(
        "kb-editor", args=[created.pk]
    )
    assert "Use the reset link." in created.body
    outsider = signed_in(make_agent(make_group()))
    assert outsider.post(reverse("kb-from-ticket", args=[ticket.pk])).status_code == 404


def test_workflow_buttons_follow_the_role(draft: ArticleTranslation, settings: Any) -> None:
    agent = signed_in(make_agent())
    editor = reverse("kb-editor", args=[draft.pk])
    page = agent.get(editor).content.decode()
    assert 'value="submit"' in page and 'value="publish"' not in page
    agent.post(reverse("kb-action", args=[draft.pk]), {"action": "publish"})
    assert ArticleTranslation.objects.get(pk=draft.pk).state == "draft"
    agent.post(reverse("kb-action", args=[draft.pk]), {"action": "submit"})
    admin = signed_in(make_admin())
    queue = admin.get(reverse("kb-review")).content.decode()
    assert editor in queue
    done = admin.post(reverse("kb-action", args=[draft.pk]), {"action": "publish"}, follow=True)
    assert "Published." in done.content.decode()
    assert ArticleTranslation.objects.get(pk=draft.pk).state == "published"
