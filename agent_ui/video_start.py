"""Start video from a contact: the step both desktops share (local engine and Amazon Connect CCP)."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from backend.domain.errors import DomainError
from backend.domain.model import JoinInfo
from backend.services.meetings import MeetingService
from ui_common.call_panel import CallPanel


async def start_agent_video(call: CallPanel, meetings: MeetingService, username: str, contact_id: str, *,
                            call_contact: str | None, on_started: Callable[[JoinInfo], None] | None = None) -> bool:
    """Create (or reuse) the contact's meeting and show the agent's device setup; False when refused (the agent was
    told why). ``on_started`` runs once the meeting exists, e.g. to signal the customer through the CCP chat."""
    current = call.join_info
    if call.in_call and current is not None and call_contact != contact_id:
        ui.notify('Leave the current video call first.', type='warning')
        return False
    try:
        join = await meetings.start_video(username, contact_id)
    except DomainError as error:
        ui.notify(str(error), type='negative')
        return False
    if on_started is not None:
        on_started(join)
    if not (call.in_call and current is not None and current.meeting_id == join.meeting_id):
        call.open_setup(join)  # already in this very meeting: nothing to set up
    return True
