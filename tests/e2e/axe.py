"""axe-core in the browser: the accessibility rules a page breaks, as a readable report.

axe-core's script comes inside the ``axe-playwright-python`` wheel (pinned in the dev
dependencies), so nothing is fetched at run time. Only ``serious`` and ``critical`` findings
fail a test; ``moderate`` and ``minor`` ones are advice.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING = ("serious", "critical")
# The rules whose outcome depends on the colours: all a change of colour scheme can break.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
_AXE = Axe()


def blocking_violations(page: Page, *, colours_only: bool = False) -> list[dict[str, Any]]:
    """The serious and critical violations of the page as it is now (``colours_only``: of the
    colour rules alone, for the same page again in the other colour scheme)."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if colours_only:
        options["runOnly"] = {"type": "rule", "values": COLOUR_RULES}
    results = _AXE.run(page, options=options)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def report(where: str, violations: list[dict[str, Any]]) -> str:
    """One block per rule: what it is, where, and what axe says to fix."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            html = " ".join(node["html"].split())[:160]
            summary = " ".join(node.get("failureSummary", "").split())[:300]
            lines.append(f"    at {target}\n       {html}\n       {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)
