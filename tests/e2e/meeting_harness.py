"""A tiny standalone NiceGUI app for driving ``MeetingElement`` from Playwright (not the product).

Run: ``python tests/e2e/meeting_harness.py PORT``. Page ``/room/{name}?who=Alice`` shows one meeting element (the
``local`` back end; ``&backend=chime`` for the Chime one, with the vendored SDK served from ``/assets``), buttons
with ``data-testid`` s and a ``data-testid=events`` label with one line per event. The ``signal`` events of the pages
in one room are relayed in memory: ``to='*'`` goes to every other page of the room, the sender's attendee id (a uuid
per page) is passed as ``from_attendee``.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: make ``ui_common`` importable

from nicegui import app, context, ui

from ui_common.meeting import Backend, MeetingElement, Quality, SignalEvent

ASSETS = Path(__file__).resolve().parents[2] / 'assets'

ROOMS: dict[str, dict[str, MeetingElement]] = defaultdict(dict)


def flag(value: bool) -> str:
    return 'true' if value else 'false'


@ui.page('/room/{room}')
def room_page(room: str, who: str = '', quality: Quality = '360p', backend: Backend = 'local') -> None:
    client = context.client
    attendee_id = uuid.uuid4().hex
    name = who or f'guest-{attendee_id[:4]}'
    lines: list[str] = []

    ui.label(f'{name} in {room}').props('data-testid=who')
    ui.label(attendee_id).props('data-testid=attendee-id')
    meeting = MeetingElement(backend=backend, self_name=name).classes('w-full max-w-3xl')
    events = ui.label().props('data-testid=events').style('white-space: pre-line; font-family: monospace')

    def log(line: str) -> None:
        lines.append(line)
        events.text = '\n'.join(lines)

    def relay(e: SignalEvent) -> None:
        members = ROOMS[room]
        if e.to == '*':
            targets = [element for member_id, element in members.items() if member_id != attendee_id]
        else:
            targets = [members[e.to]] if e.to in members else []
        for target in targets:
            target.receive_signal(attendee_id, e.data)

    meeting.on_devices(lambda e: log(f'devices:{len(e.audio_inputs)}:{len(e.video_inputs)}:{len(e.audio_outputs)}'))
    meeting.on_preview(lambda e: log(f'preview:{flag(e.audio)}:{flag(e.video)}'))
    async def joined() -> None:  # an async handler: runs in the page's context (ui.notify needs it)
        await asyncio.sleep(0)
        log('joined')
        ui.notify('Joined')
    meeting.on_joined(joined)
    meeting.on_attendee_joined(lambda e: log(f'attendee-joined:{e.name}'))
    meeting.on_attendee_left(lambda e: log(f'attendee-left:{e.name}'))
    meeting.on_video_tile(lambda e: log(f'video-tile:{flag(e.on)}:{flag(e.local)}:{flag(e.content)}'))
    meeting.on_content_share(lambda e: log(f'content-share:{flag(e.on)}'))
    meeting.on_left(lambda e: log(f'left:{e.reason}'))
    meeting.on_error(lambda e: log(f'error:{e.code}'))
    meeting.on_signal(relay)

    join_info = {'meeting_id': room, 'attendee_id': attendee_id, 'name': name}
    with ui.row():
        ui.button('List devices', on_click=meeting.list_devices).props('data-testid=list')
        ui.button('Preview', on_click=lambda: meeting.start_preview(None, None)).props('data-testid=preview')
        ui.button('Join', on_click=lambda: meeting.join(join_info, audio_input=None, video_input=None,
                                                         audio_output=None, quality=quality)) \
            .props('data-testid=join')
        ui.button('Camera on', on_click=lambda: meeting.set_camera(True)).props('data-testid=camera-on')
        ui.button('Camera off', on_click=lambda: meeting.set_camera(False)).props('data-testid=camera-off')
        ui.button('Share', on_click=meeting.start_share).props('data-testid=share')
        ui.button('Unshare', on_click=meeting.stop_share).props('data-testid=unshare')
        ui.button('Mute', on_click=lambda: meeting.set_muted(True)).props('data-testid=mute')
        ui.button('Unmute', on_click=lambda: meeting.set_muted(False)).props('data-testid=unmute')
        ui.button('540p', on_click=lambda: meeting.choose_devices(quality='540p')).props('data-testid=quality-540p')
        ui.button('Leave', on_click=meeting.leave).props('data-testid=leave')

    ROOMS[room][attendee_id] = meeting

    def forget() -> None:
        if ROOMS[room].get(attendee_id) is meeting:
            del ROOMS[room][attendee_id]
    client.on_delete(forget)


if __name__ in {'__main__', '__mp_main__'}:
    app.add_static_files('/assets', ASSETS)  # the element's default Chime bundle URL points here
    ui.run(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765, host='127.0.0.1', reload=False, show=False,
           show_welcome_message=False, title='meeting harness')
