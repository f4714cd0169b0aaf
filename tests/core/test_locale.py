"""The Spanish catalogue is complete, well-formed and compiled.

The .po file is read with a small parser of our own (standard library only), so the
tests need neither gettext tools nor polib.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_ESCAPE = re.compile(r"\\(.)")
# %(name)s, %(seconds).1f, %s, %d …; "%%" is a literal percent sign, not a placeholder.
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]"
)
_BRACE = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def _unquote(text: str, line: int) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"line {line}: expected a quoted string, got {text!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current = Entry()
    started = False  # the current entry has a keyword line
    target: tuple[str, int] | None = None  # which field continuation strings extend

    def append(text: str) -> None:
        assert target is not None
        name, index = target
        if name == "msgstr":
            current.msgstr[index] = current.msgstr.get(index, "") + text
        else:
            setattr(current, name, (getattr(current, name) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if started:
                entries.append(current)
                current, started, target = Entry(), False, None
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"line {number}: string outside an entry")
            append(_unquote(line, number))
            continue
        keyword, _, rest = line.partition(" ")
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in ("msgctxt", "msgid") and current.msgstr:
            entries.append(current)
            current, started = Entry(), False
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, 0)
            setattr(current, keyword, "")
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif match:
            target = ("msgstr", int(match.group(1)))
        else:
            raise ValueError(f"line {number}: unexpected {raw!r}")
        if not started:
            current.line, started = number, True
        append(_unquote(rest, number))
    if started:
        entries.append(current)
    return entries


def placeholders(text: str, flags: set[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    if "no-python-format" not in flags:
        found.update(m.group(0) for m in _PERCENT.finditer(text) if m.group(0) != "%%")
    if "python-brace-format" in flags:
        found.update("{" + name + "}" for name in _BRACE.findall(text))
    return found


ENTRIES = parse_po(PO_PATH)
MESSAGES = [entry for entry in ENTRIES if not entry.is_header]


def test_parser_finds_the_catalogue() -> None:
    assert sum(entry.is_header for entry in ENTRIES) == 1
    assert len(MESSAGES) > 300
    assert len({(e.msgctxt, e.msgid) for e in MESSAGES}) == len(MESSAGES)
    assert any(entry.msgid_plural for entry in MESSAGES)


def test_header_declares_spanish_utf8_and_two_plural_forms() -> None:
    header = next(entry for entry in ENTRIES if entry.is_header).msgstr[0]
    fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
    assert fields["Language"] == "es"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_entry_is_translated() -> None:
    untranslated = [
        entry.msgid
        for entry in MESSAGES
        if sorted(entry.msgstr) != ([0, 1] if entry.msgid_plural is not None else [0])
        or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not untranslated


def test_no_entry_is_fuzzy() -> None:
    assert not [entry.msgid for entry in ENTRIES if "fuzzy" in entry.flags]


def test_placeholders_and_quotes_are_kept() -> None:
    broken = []
    for entry in MESSAGES:
        singular = placeholders(entry.msgid, entry.flags)
        plural = placeholders(entry.msgid_plural or entry.msgid, entry.flags)
        for index, text in entry.msgstr.items():
            same = placeholders(text, entry.flags) == (singular if index == 0 else plural)
            quoted = "“" not in entry.msgid or ("“" in text and "”" in text)
            if not (same and quoted):
                broken.append((entry.msgid, text))
    assert not broken


def test_compiled_catalogue_matches_the_po_file() -> None:
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info()["language"] == "es"
    assert compiled.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"
    stale = []
    for entry in MESSAGES:
        if entry.msgid_plural is None:
            got = {
                0: compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            }
        elif entry.msgctxt is not None:
            got = {
                i: compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                for i, n in ((0, 1), (1, 2))
            }
        else:
            got = {
                i: compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                for i, n in ((0, 1), (1, 2))
            }
        if got != entry.msgstr:
            stale.append(entry.msgid)
    assert not stale, (
        "django.mo is stale; run msgfmt --check -o django.mo django.po. Differs: " + repr(stale[:5])
    )


def test_django_serves_the_spanish_catalogue() -> None:
    with translation.override("es"):
        assert translation.gettext("Ticket not found") == "Ticket no encontrado"
        assert translation.gettext("requester") == "solicitante"
        assert (
            translation.ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", 3)
            % {"count": 3}
            == "Se revocaron 3 tokens."
        )
    with translation.override("en"):
        assert translation.gettext("Ticket not found") == "Ticket not found"
