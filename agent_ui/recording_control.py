"""The agent's side of recording a call: the Record toggle, the "Recording" indicator, what the customer answered,
and (local meetings) the browser recorder, started on each (re)join while the recording runs.

Both desktops attach it to their call panel. It acts only on the recording service's events and answers, so the
toggle, the contact's auto-start and a stop from elsewhere (end for all, the contact ending) all look the same here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from nicegui import background_tasks, ui

from backend.domain.errors import DomainError
from backend.domain.recording import Recording, RecordingState
from backend.events import Event, RecordingChanged
from backend.services.recordings import RecordingService
from ui_common.call_panel import CallPanel, CallState
from ui_common.recording.call_recorder import CallRecorder

log = logging.getLogger('vce.agent_ui')

STATUS_TEXT = {
    RecordingState.FINALIZING: 'Saving the recording…',
    RecordingState.READY: 'The recording is saved.',
    RecordingState.FAILED: 'Nothing was recorded.',
    RecordingState.DECLINED: 'The customer declined the recording. The call goes on without it.',
}
WAITING_TEXT = {
    'require': 'Waiting for the customer to accept the recording…',
    'notify': 'Showing the customer that the call will be recorded…',
    'off': 'Starting the recording…',
}


class AgentRecordingControl:
    def __init__(self, call: CallPanel, recordings: RecordingService, username: str, display_name: str, *,
                 contact_of: Callable[[], str | None]) -> None:
        self._call, self._recordings, self._username, self._contact_of = call, recordings, username, contact_of
        self._recording_id: str | None = None
        self._may_toggle = False
        with call.extra_controls:
            self.toggle = ui.button('Record', icon='fiber_manual_record', on_click=self._toggle) \
                .props('dense outline color=negative data-testid=record-toggle')
            self.indicator = ui.badge('● Recording', color='negative') \
                .props('data-testid=recording-indicator role=status')
            self.status = ui.label().classes('text-xs').props('data-testid=recording-status role=status')
        with call:
            self.recorder = CallRecorder(call.element, self_name=display_name)
        self.recorder.on_finished(lambda segment: log.info('recording.segment_uploaded segment=%s', segment))
        self.recorder.on_failed(self._recorder_refused)
        call.add_listeners(on_state=self._on_call_state, on_leave=self._on_leave)
        subscription = recordings.subscribe_agent(username, self._on_event)
        ui.context.client.on_delete(subscription.close)
        self._render(None)

    # the call

    def _on_call_state(self, state: CallState) -> None:
        if state is CallState.IN_CALL:
            background_tasks.create(self._refresh(auto=True), name='recording-refresh')
        elif state in (CallState.ENDED, CallState.IDLE):
            self.recorder.stop()
            self._recording_id = None

    def _on_leave(self) -> None:
        """The sample's rule: leaving the meeting stops its recording (a reload does not: it starts a new segment)."""
        contact_id = self._contact_of()
        self.recorder.stop()
        if contact_id is not None:
            background_tasks.create(self._act(lambda: self._recordings.stop_recording(
                self._username, contact_id, reason='left')), name='recording-stop')

    async def _refresh(self, *, auto: bool) -> None:
        contact_id = self._contact_of()
        if contact_id is None:
            return
        try:
            controls = await self._recordings.controls(self._username, contact_id)
        except DomainError:
            self._may_toggle = False
            self._render(None)
            return
        self._may_toggle = controls.available and controls.rules.start_stop
        current = controls.current
        self._render(current)
        if current is not None and current.state is RecordingState.RECORDING:
            await self._record(current.recording_id)
        elif auto and controls.available and controls.rules.auto_start and current is None:
            await self._act(lambda: self._recordings.start_recording(self._username, contact_id, auto=True))

    async def _toggle(self) -> None:
        contact_id = self._contact_of()
        if contact_id is None:
            return
        recording = self._recordings.recording(self._recording_id) if self._recording_id else None
        if recording is not None and recording.state.running:
            self.recorder.stop()
            await self._act(lambda: self._recordings.stop_recording(self._username, contact_id))
        else:
            await self._act(lambda: self._recordings.start_recording(self._username, contact_id))

    # the recording

    def _on_event(self, event: Event) -> None:
        if isinstance(event, RecordingChanged) and event.contact_id == self._contact_of():
            background_tasks.create(self._changed(event), name='recording-changed')

    async def _changed(self, event: RecordingChanged) -> None:
        recording = self._recordings.recording(event.recording_id)
        self._render(recording)
        if recording is None:
            return
        if recording.state is RecordingState.RECORDING:
            await self._record(recording.recording_id)
        elif not recording.state.running:
            self.recorder.stop()
            if recording.state is RecordingState.DECLINED:
                with self._call:
                    ui.notify(STATUS_TEXT[RecordingState.DECLINED], type='warning')

    async def _record(self, recording_id: str) -> None:
        """The browser recorder runs while this page is in the call (local meetings; Chime records itself)."""
        if self._recordings.backend != 'browser' or not self._call.in_call:
            return
        if self.recorder.recording and self._recording_id == recording_id:
            return
        try:
            ticket = await self._recordings.open_segment(self._username, recording_id)
        except DomainError as error:
            log.info('recording.segment_refused recording=%s reason=%s', recording_id, error)
            return
        self._recording_id = recording_id
        self.recorder.start(ticket)

    def _recorder_refused(self, segment: int) -> None:
        log.info('recording.upload_refused recording=%s segment=%s', self._recording_id, segment)

    async def _act(self, action: Callable[[], object]) -> None:
        try:
            result = action()
            if hasattr(result, '__await__'):
                result = await result  # type: ignore[misc]
        except DomainError as error:
            with self._call:
                ui.notify(str(error), type='negative')
            return
        if isinstance(result, Recording):
            self._render(result)

    def _render(self, recording: Recording | None) -> None:
        if recording is not None:
            self._recording_id = recording.recording_id
        running = recording is not None and recording.state.running
        self.toggle.set_visibility(self._may_toggle or running)
        self.toggle.set_text('Stop recording' if running else 'Record')
        self.toggle.props(f'icon={"stop" if running else "fiber_manual_record"}')
        self.indicator.set_visibility(recording is not None and recording.state is RecordingState.RECORDING)
        if recording is None:
            self.status.set_text('')
        elif recording.state is RecordingState.AWAITING_CONSENT:
            self.status.set_text(WAITING_TEXT.get(self._recordings.policy.consent.value, ''))
        else:
            self.status.set_text(STATUS_TEXT.get(recording.state, ''))
