"""“Test connection” for a mailbox: each step of reaching its IMAP and SMTP servers, and
exactly which one failed, in words an administrator can act on.

The steps are done one by one instead of letting `imaplib` / `smtplib` connect on their own,
so that a failure is pinned to a step: the name lookup (DNS), the TCP connection (refused,
no answer, unreachable), the TLS handshake (certificate not trusted, not TLS at all), STARTTLS
(not offered), the login (rejected, not offered) and the folders. Every network step has a
short timeout; nothing is written on either server.
"""

from __future__ import annotations

import contextlib

from django.utils.translation import gettext as _

from atiende.messaging.connection_test.imap import check_imap
from atiende.messaging.connection_test.smtp import check_smtp
from atiende.messaging.connection_test.steps import TIMEOUT, ConnectionReport, Step, StepFailed
from atiende.messaging.models import InboundMethod, Mailbox

__all__ = ["TIMEOUT", "ConnectionReport", "Step", "StepFailed", "check_mailbox"]


def check_mailbox(mailbox: Mailbox, *, timeout: float = TIMEOUT) -> ConnectionReport:
    """Try the mailbox's IMAP server (when it fetches by IMAP) and its SMTP server (when one is
    set), step by step, stopping each at its first failure."""
    report = ConnectionReport()
    if mailbox.inbound_method == InboundMethod.IMAP:
        with contextlib.suppress(StepFailed):
            check_imap(mailbox, report, timeout)
    else:
        report.steps.append(
            Step(
                "inbound",
                True,
                _("Mail comes in through %(method)s: there is no server to connect to.")
                % {"method": mailbox.get_inbound_method_display()},
            )
        )
    if mailbox.smtp_host:
        with contextlib.suppress(StepFailed):
            check_smtp(mailbox, report, timeout)
    else:
        report.steps.append(
            Step(
                "smtp.settings",
                True,
                _("No SMTP server is set: replies go out through the default mail server."),
            )
        )
    return report
