"""``/supervisor/recordings``: find a recording (time, agent, customer, duration, size, consent), play it seekable
in the browser with the chat of the same contact beside it, download or delete it; the audit log below shows every
playback, download and delete. Nothing here is reachable by an agent or a customer (``supervisor_username``)."""

from __future__ import annotations

import datetime as dt
import time

from fastapi.responses import PlainTextResponse
from nicegui import ui

from agent_ui.supervisor.access import supervisor_username
from backend.domain.errors import DomainError
from backend.domain.recording import ConsentAnswer, Recording, RecordingQuery
from backend.services.accounts import AccountService
from backend.services.recording_library import RecordingLibrary
from backend.services.recordings import PLAYBACK_PATH

CONSENT_TEXT = {
    ConsentAnswer.ACCEPTED: 'accepted',
    ConsentAnswer.NOTIFIED: 'notified',
    ConsentAnswer.NOT_ASKED: 'not asked (policy off)',
    ConsentAnswer.DECLINED: 'declined',
    ConsentAnswer.PENDING: 'pending',
}
COLUMNS: list[dict[str, object]] = [
    {'name': 'time', 'label': 'Time (UTC)', 'field': 'time', 'align': 'left', 'sortable': True},
    {'name': 'agent', 'label': 'Agent', 'field': 'agent', 'align': 'left', 'sortable': True},
    {'name': 'customer', 'label': 'Customer', 'field': 'customer', 'align': 'left', 'sortable': True},
    {'name': 'duration', 'label': 'Duration', 'field': 'duration', 'align': 'right'},
    {'name': 'size', 'label': 'Size', 'field': 'size', 'align': 'right'},
    {'name': 'parts', 'label': 'Parts', 'field': 'parts', 'align': 'right'},
    {'name': 'consent', 'label': 'Consent', 'field': 'consent', 'align': 'left'},
    {'name': 'state', 'label': 'State', 'field': 'state', 'align': 'left'},
]
AUDIT_COLUMNS: list[dict[str, object]] = [
    {'name': 'time', 'label': 'Time (UTC)', 'field': 'time', 'align': 'left'},
    {'name': 'who', 'label': 'Who', 'field': 'who', 'align': 'left'},
    {'name': 'action', 'label': 'Action', 'field': 'action', 'align': 'left'},
    {'name': 'recording', 'label': 'Recording', 'field': 'recording', 'align': 'left'},
    {'name': 'detail', 'label': 'Detail', 'field': 'detail', 'align': 'left'},
]


def register_recordings_page(library: RecordingLibrary, accounts: AccountService) -> None:
    @ui.page(PLAYBACK_PATH, title='Recordings')
    def recordings(contact: str | None = None) -> PlainTextResponse | None:
        supervisor = supervisor_username(accounts)
        if supervisor is None:  # an agent (anonymous browsers were sent to the login page already)
            return PlainTextResponse('Not found', status_code=404)
        RecordingsPage(library, supervisor, contact=contact if isinstance(contact, str) else '').build()
        return None


class RecordingsPage:
    def __init__(self, library: RecordingLibrary, supervisor: str, *, contact: str = '') -> None:
        self._library, self._supervisor, self._contact = library, supervisor, contact.strip()[:64]
        self._selected: Recording | None = None
        self._part = 0

    def build(self) -> None:
        with ui.header().classes('items-center gap-3 bg-primary'):
            ui.label('Recordings').classes('text-lg font-bold')
            ui.space()
            ui.label(self._supervisor).classes('text-sm')
            ui.link('Agent desktop', '/agent').classes('text-white text-sm')
        with ui.row().classes('w-full items-end gap-2 p-2'):
            self.search = ui.input('Search agent, customer or contact', value=self._contact) \
                .props('dense outlined clearable data-testid=recording-search').classes('w-72')
            self.consent = ui.select({'': 'Any consent', **{a.value: t for a, t in CONSENT_TEXT.items()}}, value='',
                                     label='Consent').props('dense outlined data-testid=recording-consent-filter') \
                .classes('w-48')
            self.since = ui.input('From').props('dense outlined type=date data-testid=recording-from')
            self.until = ui.input('To').props('dense outlined type=date data-testid=recording-to')
            ui.button('Search', icon='search', on_click=self._search).props('data-testid=recording-search-button')
        self.search.on('keydown.enter', self._search)
        self.table = ui.table(columns=COLUMNS, rows=[], row_key='id', pagination=10) \
            .props('dense flat bordered data-testid=recordings-table').classes('w-full')
        self.table.on('rowClick', lambda e: self._open(str(e.args[1]['id'])) if len(e.args) > 1 else None)
        self.empty = ui.label('No recordings match.').classes('text-grey-7 p-2').props('data-testid=recordings-empty')
        with ui.row().classes('w-full no-wrap items-start gap-4 p-2') as self.detail:
            with ui.column().classes('grow min-w-0 gap-1'):
                self.title = ui.label().classes('text-base font-medium').props('data-testid=recording-title')
                self.player = ui.video('', controls=True, autoplay=False).classes('w-full bg-black') \
                    .props('data-testid=recording-player preload=metadata')
                self.player.on('ended', self._next_part)
                self.parts = ui.row().classes('gap-1').props('data-testid=recording-parts')
                with ui.row().classes('gap-2'):
                    ui.button('Download', icon='download', on_click=self._download) \
                        .props('outline dense data-testid=recording-download')
                    ui.button('Delete', icon='delete', on_click=self._confirm_delete) \
                        .props('outline dense color=negative data-testid=recording-delete')
                self.facts = ui.label().classes('text-xs text-grey-8').props('data-testid=recording-facts')
            with ui.column().classes('w-96 shrink-0 gap-1'):
                ui.label('Chat of this contact').classes('text-sm font-medium')
                self.transcript = ui.column().classes('w-full gap-1 max-h-96 overflow-auto text-sm') \
                    .props('data-testid=recording-transcript')
        self.detail.set_visibility(False)
        ui.label('Audit log').classes('text-base font-medium px-2')
        self.audit = ui.table(columns=AUDIT_COLUMNS, rows=[], row_key='key', pagination=20) \
            .props('dense flat bordered data-testid=audit-log').classes('w-full')
        with ui.dialog() as self.delete_dialog, ui.card():
            ui.label('Delete this recording for good? The audit log keeps that you did.')
            with ui.row():
                ui.button('Delete', on_click=self._delete).props('color=negative data-testid=recording-delete-confirm')
                ui.button('Cancel', on_click=self.delete_dialog.close).props('flat')
        self._search()
        self._show_audit()

    # list

    def _query(self) -> RecordingQuery:
        return RecordingQuery(text=str(self.search.value or ''),
                              consent=ConsentAnswer(self.consent.value) if self.consent.value else None,
                              since=_day(self.since.value), until=_day(self.until.value, next_day=True))

    def _search(self) -> None:
        found = self._library.find(self._query())
        self.table.rows = [_row(r) for r in found]
        self.table.update()
        self.empty.set_visibility(not found)
        if len(found) == 1 and self._selected is None:
            self._open(found[0].recording_id)

    # one recording

    def _open(self, recording_id: str) -> None:
        try:
            recording = self._library.recording(recording_id)
        except DomainError as error:
            ui.notify(str(error), type='warning')
            return
        self._selected, self._part = recording, 0
        self.detail.set_visibility(True)
        self.title.set_text(f'{recording.customer_name} with {recording.agent_name} ({recording.agent_username}), '
                            f'{_time(recording.started_at)}')
        last = recording.last_consent
        consent = f'{CONSENT_TEXT[last.answer]} under policy "{last.policy.value}" at {_time(last.at)}' if last else '-'
        self.facts.set_text(f'Contact {recording.contact_id} · {_duration(recording.duration_seconds)} · '
                            f'{_size(recording.size_bytes)} · consent: {consent} · state: {recording.state.value}')
        self.parts.clear()
        with self.parts:
            for index, segment in enumerate(recording.playable):
                ui.button(f'Part {index + 1} ({_duration(segment.duration_seconds)})',
                          on_click=lambda _, i=index: self._play(i)).props('dense flat data-testid=recording-part')
        self.transcript.clear()
        with self.transcript:
            for message in self._library.transcript(recording.contact_id):
                ui.label(f'{_time(message.created_at, seconds=True)} {message.display_name}: {message.text}') \
                    .classes('break-words')
        self.player.set_source('')
        if recording.playable:
            self._play(0)

    def _play(self, part: int) -> None:
        recording = self._selected
        if recording is None or part >= len(recording.playable):
            return
        self._part = part
        try:
            link = self._library.play(self._supervisor, recording.recording_id, recording.playable[part].index)
        except DomainError as error:
            ui.notify(str(error), type='warning')
            return
        self.player.set_source(link.url)
        self._show_audit()

    def _next_part(self) -> None:
        if self._selected is not None and self._part + 1 < len(self._selected.playable):
            self._play(self._part + 1)

    def _download(self) -> None:
        recording = self._selected
        if recording is None or not recording.playable:
            return
        try:
            link = self._library.download(self._supervisor, recording.recording_id,
                                          recording.playable[self._part].index)
        except DomainError as error:
            ui.notify(str(error), type='warning')
            return
        ui.download(link.url, link.file_name)
        self._show_audit()

    def _confirm_delete(self) -> None:
        if self._selected is not None:
            self.delete_dialog.open()

    def _delete(self) -> None:
        self.delete_dialog.close()
        recording = self._selected
        if recording is None:
            return
        try:
            self._library.delete(self._supervisor, recording.recording_id)
        except DomainError as error:
            ui.notify(str(error), type='warning')
            return
        self._selected = None
        self.player.set_source('')
        self.detail.set_visibility(False)
        ui.notify('The recording was deleted.')
        self._search()
        self._show_audit()

    def _show_audit(self) -> None:
        self.audit.rows = [{'key': f'{e.at}-{i}', 'time': _time(e.at, seconds=True), 'who': e.actor,
                            'action': e.action.value, 'recording': e.recording_id, 'detail': e.detail}
                           for i, e in enumerate(self._library.audit_log())]
        self.audit.update()


def _row(recording: Recording) -> dict[str, object]:
    last = recording.last_consent
    return {'id': recording.recording_id, 'time': _time(recording.started_at), 'agent': recording.agent_name,
            'customer': recording.customer_name, 'duration': _duration(recording.duration_seconds),
            'size': _size(recording.size_bytes), 'parts': len(recording.playable),
            'consent': CONSENT_TEXT[last.answer] if last else '-', 'state': recording.state.value}


def _time(at: float, *, seconds: bool = False) -> str:
    return time.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M', time.gmtime(at))


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f'{whole // 60}:{whole % 60:02d}'


def _size(size: int) -> str:
    return f'{size / 1_000_000:.1f} MB' if size >= 100_000 else f'{size / 1000:.0f} kB'


def _day(value: object, *, next_day: bool = False) -> float | None:
    try:
        day = dt.date.fromisoformat(str(value or ''))
    except ValueError:
        return None
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return (start + dt.timedelta(days=1 if next_day else 0)).timestamp()
