"""``atiende demo`` and ``atiende run --demo``: the demo loaded into a brand-new helpdesk,
its sign-ins printed once."""

from __future__ import annotations

import dataclasses


def load_demo_once(*, quiet_when_refused: bool) -> None:
    """Load the demo into a brand-new helpdesk and print its sign-ins and password, once."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from atiende.tickets.demo import demo_customer_email, demo_logins, has_data, load_demo

    if has_data():
        if not quiet_when_refused:
            print(_("The helpdesk already has users; the demo is only loaded into a new one."))
        return
    print(_("Loading demo data…"), flush=True)
    summary = load_demo()
    if summary is None:  # someone signed up meanwhile
        print(_("The helpdesk already has users; the demo is only loaded into a new one."))
        return
    message = _(
        "Loaded %(tickets)d tickets with %(messages)d messages, %(customers)d customers, "
        "%(agents)d staff in %(groups)d groups, %(organizations)d organizations, "
        "%(links)d links and %(merges)d merge in %(seconds).1f s."
    )
    print(message % dataclasses.asdict(summary))
    _publish_demo_articles()
    print(
        _("Demo sign-ins; the password is shown only now, write it down: %(password)s")
        % {"password": summary.password}
    )
    for login in demo_logins():
        print(f"  {login.email:<32} {login.name} ({login.role})")
    customer = demo_customer_email()
    if customer:
        print("  " + _("%(email)s (customer, same password)") % {"email": customer})
    print(
        _(
            "To start clean instead: stop Atiende, delete %(data)s (or use an empty "
            "DATABASE_URL), run without --demo and create your administrator with "
            "'atiende createadmin EMAIL'."
        )
        % {"data": settings.DATA_DIR},
        flush=True,
    )


def _publish_demo_articles() -> None:
    """The demo's help center, published by its administrator."""
    from django.utils.translation import gettext as _

    from atiende.accounts.models import Role, User
    from atiende.core.actor import Actor, Source
    from atiende.kb.demo import load_articles

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is not None:
        count = load_articles(Actor(user=admin, source=Source.SYSTEM, detail="demo"))
        print(_("Published %(count)d help-center articles.") % {"count": count})
