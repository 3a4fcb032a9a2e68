"""axe-core in the e2e tests: WCAG 2.x A/AA rules run on a page as it is, serious and critical findings fail.

The vendored bundle (tests/e2e/vendor/axe-core, refreshed by scripts/vendor-axe-core.sh) is evaluated through the
browser's debugging protocol, which the page's Content-Security-Policy does not apply to, so the page itself runs
unchanged: no script tag, no relaxed policy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent / 'vendor' / 'axe-core' / 'axe.min.js'
WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']
FAILING_IMPACTS = ('serious', 'critical')
RUN_AXE = """async (tags) => {
    const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`.slice(0, 300))}));
}"""


@cache
def _axe_source() -> str:
    return AXE_JS.read_text()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every WCAG A/AA violation axe finds on the page as it is now."""
    if not page.evaluate('() => !!window.axe'):
        page.evaluate(f'() => {{ {_axe_source()}\n }}')
        if not page.evaluate('() => !!window.axe'):
            page.evaluate(f'() => {{ const module = undefined; const define = undefined; {_axe_source()}\n }}')
    return list(page.evaluate(RUN_AXE, WCAG_TAGS))


def serious_violations(page: Page, state: str) -> list[str]:
    """The serious and critical ones, as readable lines naming the page state they were found in."""
    lines = []
    for violation in axe_violations(page):
        if violation['impact'] in FAILING_IMPACTS:
            lines.append(f'{state}: {violation["id"]} ({violation["impact"]}) {violation["help"]}')
            lines.extend(f'    {node}' for node in violation['nodes'][:5])
    return lines
