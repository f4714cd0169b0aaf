"""The bot's words: a ``decision.Reply`` written out in the visitor's language.

The reply is plain text (the transcript is the ticket's conversation, and the widget shows
text): each article as its title, its public address and a one-line excerpt. The quick
replies are labelled here too; the widget shows them as buttons and sends back their code.
The internal note on a ticket the bot resolved is written here as well (``resolved_note``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atiende.messaging.chat.bot.decision import ArticleHit, QuickReply, Reply, ReplyKind


def _greeting() -> str:
    return _("Hello! I am the virtual assistant.")


def _handover(reply: Reply) -> str:
    if reply.agents_available:
        return _("I am passing you to a person; someone from the team will answer here shortly.")
    return _(
        "No one from the team is available right now. Your message is saved and the team "
        "will answer it as soon as they can; leave your email to get the answer by mail."
    )


def _article(number: int, article: ArticleHit) -> str:
    lines = [f"{number}. {article.title}", article.url]
    if article.excerpt:
        lines.append(article.excerpt)
    return "\n".join(lines)


def _body(reply: Reply, solved: bool) -> str:
    if reply.kind == ReplyKind.OFFER:
        articles = "\n\n".join(_article(n, a) for n, a in enumerate(reply.articles, start=1))
        found = ngettext("This article may help:", "These articles may help:", len(reply.articles))
        return f"{found}\n\n{articles}\n\n{_('Does this answer your question?')}"
    if reply.kind == ReplyKind.NOTHING_FOUND:
        return _(
            "I found no article about that. Could you say it in other words? "
            "You can also ask to talk to a person."
        )
    if reply.kind == ReplyKind.ASK_AGAIN:
        return _(
            "Sorry about that. Tell me a little more, in other words, and I will look again; "
            "or ask to talk to a person."
        )
    if reply.kind == ReplyKind.GLAD and solved:
        return _(
            "Glad it helped! I have marked your question as solved. If you need anything "
            "else, just write here."
        )
    if reply.kind == ReplyKind.GLAD:
        return _("Glad it helped! If you need anything else, write here.")
    return _handover(reply)


def render(reply: Reply, language: str, *, solved: bool = True) -> str:
    """The text of ``reply`` in ``language``; ``solved=False`` when the chat's ticket could not
    be solved after a yes (the visitor is not told it was)."""
    with translation.override(language):
        body = _body(reply, solved)
        return f"{_greeting()} {body}" if reply.greet else body


def quick_reply_label(code: QuickReply, reply_kind: ReplyKind) -> str:
    """A button's label (call inside the visitor's language)."""
    if code == QuickReply.YES:
        return _("Yes, thanks")
    if reply_kind == ReplyKind.OFFER:
        return _("No, talk to a person")
    return _("Talk to a person")


def quick_replies(reply: Reply, language: str) -> list[dict[str, str]]:
    """The buttons under ``reply``: ``[{"code": "yes", "label": "Sí, gracias"}, …]``."""
    with translation.override(language):
        return [
            {"code": str(code), "label": quick_reply_label(code, reply.kind)}
            for code in reply.quick_replies
        ]


def resolved_note(
    offered: Sequence[ArticleHit], missing: Sequence[int], refused: str, language: str
) -> str:
    """The internal note on a chat's ticket the bot resolved, for the team (in ``language``):
    which articles the visitor said answered the question, and why the ticket is not solved
    when the workflow refused it."""
    with translation.override(language):
        count = len(offered) + len(missing)
        lines = [
            ngettext(
                "Resolved by the chat bot: the visitor said this article answered their question:",
                "Resolved by the chat bot: the visitor said these articles answered their "
                "question:",
                count,
            )
        ]
        lines += [f"- {article.title} ({article.url})" for article in offered]
        lines += [
            "- " + _("article #%(id)d (no longer public)") % {"id": translation_id}
            for translation_id in missing
        ]
        if refused:
            lines += [
                "",
                _("The ticket could not be set to solved: %(reason)s") % {"reason": refused},
            ]
        return "\n".join(lines)
