"""Quasar's colours for our pages, with the contrast WCAG 2.2 AA asks for (4.5:1 for normal text).

NiceGUI's default primary (#5898d4) reaches 3.06:1 under white text and its positive green (#21ba45) 2.57:1; the
header, the Log in button and every green button (Call, Accept, Join) carry white text on them.
"""

from __future__ import annotations

from nicegui import ui

AGENT_PRIMARY = '#1f5fa8'  # 6.4:1 with white; the same blue as the customer pages' default brand colour
POSITIVE = '#1b7a36'  # 5.4:1 with white
SECONDARY = '#00796b'  # 5.3:1 with white


def use_accessible_colors(primary: str = AGENT_PRIMARY, accent: str | None = None) -> None:
    """Set this page's colours: ``primary`` (and ``accent``) as given, the others with enough contrast."""
    if accent is None:
        ui.colors(primary=primary, secondary=SECONDARY, positive=POSITIVE)
    else:
        ui.colors(primary=primary, secondary=SECONDARY, accent=accent, positive=POSITIVE)
