"""Call Timer

A phone call's running duration (``m:ss``, or ``h:mm:ss`` after an hour), counted from a server timestamp so a
reloaded page shows the same time as before. Shared by the customer's phone page and the agent's softphone.
"""

from __future__ import annotations

import time

from nicegui import ui


def format_duration(seconds: float) -> str:
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}' if hours else f'{minutes}:{secs:02d}'


class CallTimer(ui.label):
    def __init__(self) -> None:
        super().__init__('0:00')
        self.classes('tabular-nums')
        self._since = 0.0
        with self:
            self._timer = ui.timer(1.0, self._tick, active=False)

    def start(self, since: float) -> None:
        """Count from ``since`` (epoch seconds); calling it again with the same time changes nothing."""
        self._since = since
        self._tick()
        self._timer.activate()

    def stop(self) -> None:
        self._timer.deactivate()

    def _tick(self) -> None:
        self.set_text(format_duration(time.time() - self._since))
