"""Agent sessions end when no desktop has been open for VCE_AGENT_SESSION_IDLE_MINUTES.

The session cookie itself lives for weeks (NiceGUI's default), which is fine for a customer's tab but too long for a
signed-in agent on a shared or lost machine. So the agent's session records when it was last active: every agent page
request, and, while a desktop is open, its timer every minute (an agent waiting for contacts does nothing, but the open
desktop keeps the session). A request after a longer silence finds the session emptied and goes to the login page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import Any

from nicegui import ui

LAST_ACTIVE_KEY = 'last_active'
KEEP_ALIVE_SECONDS = 60.0  # how often an open desktop marks its session active
WRITE_AFTER_SECONDS = 30.0  # requests closer together than this do not rewrite the storage

clock: Callable[[], float] = time.time  # wall time: sessions outlive the process; tests move it


def mark_active(session: MutableMapping[str, Any], *, force: bool = False) -> None:
    now = clock()
    if force or now - float(session.get(LAST_ACTIVE_KEY) or 0) >= WRITE_AFTER_SECONDS:
        session[LAST_ACTIVE_KEY] = now


def idle_too_long(session: MutableMapping[str, Any], idle_seconds: float) -> bool:
    """True for a session not active within ``idle_seconds`` (or never marked: one from before this rule)."""
    last = session.get(LAST_ACTIVE_KEY)
    return last is None or clock() - float(last) > idle_seconds


def keep_alive_while_open(session: MutableMapping[str, Any]) -> None:
    """Call while building a desktop page: its timer runs as long as the page's client lives (socket connected, or
    reconnecting within the page's reconnect timeout)."""
    ui.timer(KEEP_ALIVE_SECONDS, lambda: mark_active(session, force=True), immediate=False)  # the request marked it
