"""What the customer sees of a recording: the notice (policy ``notify``) or the question (``require``) before
anything is recorded, and a "Recording" indicator while it runs. It sits in the chat, so the customer sees it
whether or not they are in the video call yet, and it comes back after a reload (the answer is asked for again only
while it is still pending)."""

from __future__ import annotations

import logging

from nicegui import background_tasks, ui

from backend.domain.recording import CONSENT_QUESTION_TEXT, NOTICE_TEXT, Recording, RecordingState
from backend.events import Event, RecordingChanged
from backend.services.recordings import RecordingService

log = logging.getLogger('vce.customer_ui')

RECORDING_TEXT = 'This video call is being recorded.'
DECLINED_TEXT = 'You declined the recording. The call goes on without it.'


class RecordingNotice(ui.column):
    def __init__(self, recordings: RecordingService, session_key: str, contact_id: str, *,
                 meeting_live: bool) -> None:
        """``meeting_live``: only a live video call can have a running recording, so without one the store is not
        asked (a new chat's page costs no extra read)."""
        super().__init__()
        self.classes('w-full gap-1')
        self._recordings, self._session_key = recordings, session_key
        self._acknowledged: set[str] = set()
        with self:
            with ui.card().classes('w-full bg-amber-1').props('flat bordered role=alertdialog '
                                                             'data-testid=recording-notice') as self.question:
                ui.label('Recording').classes('text-sm font-bold')
                self.question_text = ui.label().classes('text-sm').props('data-testid=recording-notice-text')
                with ui.row().classes('gap-2') as self.answers:
                    ui.button('Accept recording', on_click=lambda: self._answer(True)) \
                        .props('dense color=positive data-testid=consent-accept')
                    ui.button('Decline', on_click=lambda: self._answer(False)) \
                        .props('dense outline color=negative data-testid=consent-decline')
            with ui.row().classes('items-center gap-1') as self.indicator:
                ui.badge('● Recording', color='negative').props('data-testid=customer-recording-indicator')
                ui.label(RECORDING_TEXT).classes('text-xs')
            self.outcome = ui.label().classes('text-xs text-grey-8').props('role=status data-testid=recording-outcome')
        subscription = recordings.subscribe(contact_id, self._on_event)
        ui.context.client.on_delete(subscription.close)
        self._show(recordings.customer_recording(session_key) if meeting_live else None)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, RecordingChanged):
            self._show(self._recordings.recording(event.recording_id))

    def _show(self, recording: Recording | None) -> None:
        waiting = recording is not None and recording.state is RecordingState.AWAITING_CONSENT
        require = self._recordings.policy.consent.value == 'require'
        self.question.set_visibility(waiting)
        self.question_text.set_text(CONSENT_QUESTION_TEXT if require else NOTICE_TEXT)
        self.answers.set_visibility(waiting and require)
        self.indicator.set_visibility(recording is not None and recording.state is RecordingState.RECORDING)
        if recording is not None and recording.state is RecordingState.DECLINED:
            self.outcome.set_text(DECLINED_TEXT)
        elif recording is not None and recording.state.running:
            self.outcome.set_text('')
        if waiting and not require and recording is not None and recording.recording_id not in self._acknowledged:
            self._acknowledged.add(recording.recording_id)
            background_tasks.create(self._notice_shown(), name='recording-notice-shown')

    async def _notice_shown(self) -> None:
        """``notify``: the recording starts once the notice is on the customer's screen (a round trip proves it)."""
        client = self.client
        try:
            await client.connected(timeout=30)
            shown = await client.run_javascript(
                'document.querySelector("[data-testid=recording-notice]")?.offsetParent !== null', timeout=10)
        except (TimeoutError, RuntimeError) as error:
            log.info('recording.notice_not_confirmed reason=%s', type(error).__name__)
            return
        if shown:
            await self._recordings.customer_answer(self._session_key, accepted=True)

    async def _answer(self, accepted: bool) -> None:
        recording = await self._recordings.customer_answer(self._session_key, accepted=accepted)
        self._show(recording)
