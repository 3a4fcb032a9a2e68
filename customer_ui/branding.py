"""The company's branding on every customer page: its colours and a header bar with its logo and name."""

from __future__ import annotations

from nicegui import ui

from backend.settings import Settings
from ui_common.accessible_colors import use_accessible_colors


def branded_header(settings: Settings) -> ui.row:
    """Apply the brand colours and add the header; returns the header's right-hand row, for the page's own links."""
    use_accessible_colors(primary=settings.brand_primary_color, accent=settings.brand_accent_color)
    with ui.header().classes('items-center justify-between bg-primary'):
        with ui.row().classes('items-center gap-2'):
            if settings.brand_logo_url:
                ui.image(settings.brand_logo_url).classes('w-8 h-8')
            ui.label(settings.company_name).classes('text-xl font-bold').props('data-testid=company-name')
        return ui.row().classes('items-center gap-4')
