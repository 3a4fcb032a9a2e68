"""Local Time

A clock time rendered by the browser in the agent's own time zone and locale (the server does not know them).
"""

from __future__ import annotations

from nicegui import ui


class LocalTime(ui.element, component='local_time.js'):
    def __init__(self, epoch: float | None = None) -> None:
        """Local Time

        :param epoch: seconds since the epoch; shown as hours and minutes, or nothing while None
        """
        super().__init__()
        self._props['epoch'] = epoch

    @property
    def epoch(self) -> float | None:
        return self._props['epoch']

    def set_epoch(self, epoch: float | None) -> None:
        self._props['epoch'] = epoch
        self.update()
