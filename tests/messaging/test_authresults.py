"""Our RFC 8601 parser reads real servers' Authentication-Results and refuses the rest."""

from __future__ import annotations

import pytest

from atiende.messaging.email.authresults import Result, parse
from atiende.messaging.inbound.authentication import aligned, authenticated


def test_gmail_shape_with_comments_and_folding() -> None:
    value = (
        "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=s1 header.b=Ab/+9;\r\n"
        "       spf=pass (google.com: domain of a@example.com designates 1.2.3.4 as permitted"
        " sender) smtp.mailfrom=a@example.com;\r\n"
        "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com"
    )
    parsed = parse(value)

    assert parsed is not None and parsed.authserv_id == "mx.google.com"
    assert parsed.results == (
        Result("dkim", "pass", {"header.i": "@example.com", "header.s": "s1", "header.b": "Ab/+9"}),
        Result("spf", "pass", {"smtp.mailfrom": "a@example.com"}),
        Result("dmarc", "pass", {"header.from": "example.com"}),
    )


def test_rfc8601_appendix_shapes() -> None:
    none = parse("example.org 1; none")
    quoted = parse(
        'mail-router.example.net; dkim=pass (good signature) header.d="newyork.example.com"'
    )
    nested = parse("mx.example.org; (outer (inner) comment) spf=fail smtp.mailfrom=x.example.net")
    versioned = parse('mx.example.org; dkim/1=pass reason="ok; fine" header.d=example.org')

    assert none is not None and none.results == ()
    assert quoted is not None and quoted.results[0].properties == {
        "header.d": "newyork.example.com"
    }
    assert nested is not None and nested.results[0] == Result(
        "spf", "fail", {"smtp.mailfrom": "x.example.net"}
    )
    assert versioned is not None and versioned.results[0].properties["reason"] == "ok; fine"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "spf=pass smtp.mailfrom=example.com",  # no authserv-id (Microsoft 365 writes this)
        "mx.example.org; (unclosed dkim=pass header.d=example.org",
        "mx.example.org; dkim=pass) header.d=example.org",
        'mx.example.org; dkim=pass header.d="unterminated',
        "mx.example.org; dkim pass header.d=example.org",
        "mx.example.org; dkim=pass header.d=a.org garbage",
        "mx.example.org extra words; dmarc=pass header.from=example.org",
        "mx.example.org; " + "dkim=pass " * 2000,
    ],
)
def test_anything_off_the_grammar_is_no_result(value: str) -> None:
    assert parse(value) is None


def test_alignment_is_the_domain_or_a_subdomain_never_a_bare_tld() -> None:
    assert aligned("example.com", "example.com")
    assert aligned("mail.example.com", "example.com") and aligned("example.com", "mail.example.com")
    assert not aligned("example.com", "com") and not aligned("example.com", "ample.com")
    assert not aligned("example.com", "") and not aligned("example.com", "example.com.evil.test")


def test_only_the_trusted_servers_topmost_verdict_counts() -> None:
    ours = "mx.example.org; dmarc=pass header.from=example.com"
    theirs = "evil.test; dmarc=pass header.from=example.com"
    failed = "mx.example.org; dmarc=fail header.from=example.com"

    assert authenticated((ours,), trusted="mx.example.org", sender="eva@example.com")
    assert not authenticated((theirs,), trusted="mx.example.org", sender="eva@example.com")
    assert not authenticated((failed, ours), trusted="mx.example.org", sender="eva@example.com")
    assert not authenticated((ours,), trusted="", sender="eva@example.com")
    assert not authenticated((ours,), trusted="mx.example.org", sender="eva@other.test")
