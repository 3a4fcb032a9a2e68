"""Quasar's colours for our pages, with the contrast WCAG 2.2 AA asks for (4.5:1 for normal text).

NiceGUI's default primary (#5898d4) reaches 3.06:1 under white text and its positive green (#21ba45) 2.57:1; the
header, the Log in button and every green button (Call, Accept, Join) carry white text on them.
"""

from __future__ import annotations

from nicegui import ui

AGENT_PRIMARY = '#1f5fa8'  # 6.4:1 with white; the same blue as the customer pages' default brand colour
POSITIVE = '#1b7a36'  # 5.4:1 with white
SECONDARY = '#00796b'  # 5.3:1 with white
# Quasar's greys for secondary text (grey-7 #757575, grey-8 #616161) and the primary blue as text (outline and flat
# buttons) have enough contrast on white but only 2.9 to 3.7:1 on the dark page and cards: in dark mode they turn
# light enough (8:1 and more). In NiceGUI's layer of Quasar's !important colour classes: an !important outside every
# layer would lose to them.
DARK_MODE_CSS = """
@layer quasar_importants {
  .body--dark .text-grey-7, .body--dark .text-grey-8 { color: #bdbdbd !important; }
  .body--dark .text-primary { color: #8ab4f8 !important; }
}
"""


def use_accessible_colors(primary: str = AGENT_PRIMARY, accent: str | None = None) -> None:
    """Set this page's colours: ``primary`` (and ``accent``) as given, the others with enough contrast, also in
    dark mode."""
    ui.add_head_html(f'<style>{DARK_MODE_CSS}</style>')  # a <style> tag: the CSP allows inline styles, not scripts
    if accent is None:
        ui.colors(primary=primary, secondary=SECONDARY, positive=POSITIVE)
    else:
        ui.colors(primary=primary, secondary=SECONDARY, accent=accent, positive=POSITIVE)
