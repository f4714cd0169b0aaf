"""The ``atiende`` commands that administer a helpdesk: tokens, tallies, keys, administrators.

Each runs after Django is set up (``cli._dispatch``) and imports what it needs when it runs, so
``atiende --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os

from atiende.cli_errors import CliError


def token_create(options: argparse.Namespace, extra: list[str]) -> int:
    """Print only the new token, so scripts can capture it."""
    from django.utils.translation import gettext as _

    from atiende.accounts.models import User, normalize_email
    from atiende.accounts.services import create_api_token
    from atiende.core.actor import Actor

    user = User.objects.filter(email=normalize_email(options.email)).first()
    if user is None:
        raise CliError(_("No user has the email %(email)s.") % {"email": options.email})
    if not user.is_active:
        raise CliError(_("%(email)s is suspended.") % {"email": options.email})
    _token, plain = create_api_token(Actor.system("cli"), user=user, name=options.name)
    print(plain)
    return 0


def tally_rebuild(options: argparse.Namespace, extra: list[str]) -> int:
    from django.utils.translation import gettext as _

    from atiende.tickets.tally import rebuild  # after a bulk import or a manual SQL fix

    print(_("Recounted %(rows)d ticket tallies.") % {"rows": rebuild()})
    return 0


def kb_reindex(options: argparse.Namespace, extra: list[str]) -> int:
    from django.utils.translation import gettext as _

    from atiende.kb.search.index import rebuild  # after a restore or an upgrade of the analyzer

    print(_("Indexed %(count)d published articles.") % {"count": rebuild()})
    return 0


def semantic_rebuild(options: argparse.Namespace, extra: list[str]) -> int:
    from django.utils.translation import gettext as _

    from atiende.kb.semantic_index import rebuild_articles
    from atiende.kb.similar import rebuild_tickets
    from atiende.semantic.encoder import available

    if not available():
        raise CliError(_("The sentence encoder is unavailable (or ATIENDE_SEMANTIC is off)."))
    if options.kind in ("all", "article"):
        print(_("Embedded %(count)d article translations.") % {"count": rebuild_articles()})
    if options.kind in ("all", "ticket"):
        print(_("Embedded %(count)d solved tickets.") % {"count": rebuild_tickets()})
    return 0


def keys_rotate(options: argparse.Namespace, extra: list[str]) -> int:
    from django.utils.translation import gettext as _

    from atiende.messaging.key_rotation import RotationFailed, rotate_keys

    try:
        done = rotate_keys(keep_old=options.keep_old)
    except RotationFailed as error:
        raise CliError(str(error)) from None
    print(_("Encrypted %(count)d stored secrets with the newest key.") % {"count": done.secrets})
    if not done.new_key_written:
        print(_("The keys come from ATIENDE_ENCRYPTION_KEY: you may now remove the old ones."))
    elif done.old_keys_dropped:
        print(_("Dropped %(count)d old keys.") % {"count": done.old_keys_dropped})
    return 0


def createadmin(options: argparse.Namespace, extra: list[str]) -> int:
    from django.contrib.auth.password_validation import validate_password
    from django.utils.translation import gettext as _

    from atiende.accounts.models import Role
    from atiende.accounts.services import create_user
    from atiende.core.actor import Actor

    password = options.password or os.environ.get("ATIENDE_ADMIN_PASSWORD", "")
    if not password:
        raise CliError(_("Give a password with --password or ATIENDE_ADMIN_PASSWORD."))
    validate_password(password)
    user = create_user(
        Actor.system("cli"),
        email=options.email,
        password=password,
        role=Role.ADMIN,
        name=options.name,
    )
    print(_("Administrator %(email)s created.") % {"email": user.email})
    return 0
