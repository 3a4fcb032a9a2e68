"""The pilot's first chat, at the protocol level: our chat flow, the Participant Service and its websocket, and what
Connect then says about the contact. It uses the server's own ``ConnectChatApi`` and ``ParticipantSocket``, and
records every raw item so each verdict rests on what came over the wire."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backend.adapters.aws.chat_items import CHAT_ENDED, TYPING
from backend.adapters.aws.connect_chat_api import ConnectionRejected, ParticipantConnection
from backend.adapters.aws.participant_socket import ParticipantSocket
from backend.adapters.aws.pilot.contact_reads import (
    describe,
    position_in_queue,
    queue_id_of,
    when_ended,
    when_queued,
    write_attribute,
)
from backend.adapters.aws.pilot.findings import Findings
from backend.adapters.aws.pilot.kit import PilotKit
from backend.adapters.aws.pilot.steps import ProbeStopped, short, step

ROWS = ('CHAT-1', 'CHAT-2', 'PART-1', 'PART-2', 'PART-3', 'PART-4', 'PART-5', 'PART-6', 'PART-7', 'PART-8', 'PART-9',
        'PART-10', 'FLOW-2', 'FLOW-4', 'CONT-1', 'CONT-2')
POSITION_TEXT = 'You are number '  # the queue flow's position-in-queue-message
WAITING_TEXT = 'Thank you for waiting'  # its waiting-message (no position loaded)
ATTRIBUTE = 'videoPilotCheck'


@dataclass
class Inbox:
    """Raw chat items as they arrive: ``socket`` (the websocket) or ``transcript`` (GetTranscript)."""

    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    subscriptions: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, source: str, item: dict[str, Any]) -> None:
        self.items.append((source, item))
        self.changed.set()

    async def wait_for(self, match: Callable[[str, dict[str, Any]], bool], timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while True:
            for source, item in self.items:
                if match(source, item):
                    return item
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                return None


def _message(item: dict[str, Any], role: str) -> bool:
    return item.get('Type') == 'MESSAGE' and item.get('ParticipantRole') == role


async def chat_probe(kit: PilotKit, findings: Findings) -> int | None:
    """Run the plain chat; returns the QueuePriority Connect gave it (the reference probe compares)."""
    plan, api = kit.plan, kit.api
    with step(findings, 'CHAT-1'):
        started = await asyncio.to_thread(api.start_chat_contact, display_name=plan.customer_name, attributes={
            'customerName': plan.customer_name, 'customerEmailAddress': plan.customer_email})
    contact_id = started.contact_id
    findings.holds('CHAT-1', f'contact {contact_id}, participant {started.participant_id}')
    with step(findings, 'PART-1'):
        first = await asyncio.to_thread(api.create_participant_connection, started.participant_token)
    now = time.time()
    findings.check('PART-1', bool(first.websocket_url and first.connection_token),
                   f'websocket URL for ~{first.websocket_expires_at - now:.0f} s, connection token for '
                   f'~{(first.connection_expires_at - now) / 3600:.1f} h')
    connection: list[ParticipantConnection] = [first]
    inbox = Inbox()

    async def open_url(fresh: bool) -> str:
        if fresh or connection[0].websocket_expires_at <= time.time() + 5:
            connection[0] = await asyncio.to_thread(api.create_participant_connection, started.participant_token)
        return connection[0].websocket_url

    async def on_item(item: dict[str, Any]) -> None:
        inbox.add('socket', item)

    async def on_connected() -> None:
        inbox.subscriptions += 1
        for item in await asyncio.to_thread(api.get_transcript, connection[0].connection_token):
            inbox.add('transcript', item)

    async def on_gone() -> None:
        inbox.changed.set()

    socket = ParticipantSocket(open_url=open_url, on_item=on_item, on_connected=on_connected, on_gone=on_gone,
                               heartbeat_seconds=plan.heartbeat_seconds, label='pilot')
    socket.start()
    try:
        await _talk(kit, findings, inbox, socket, contact_id, connection)
        return await _in_queue(kit, findings, inbox, contact_id)
    finally:
        await _leave(kit, findings, inbox, socket, contact_id, started.participant_token, connection)


async def _talk(kit: PilotKit, findings: Findings, inbox: Inbox, socket: ParticipantSocket, contact_id: str,
                connection: list[ParticipantConnection]) -> None:
    plan, api = kit.plan, kit.api
    subscribed_at = time.monotonic()
    greeting = await inbox.wait_for(lambda _, i: _message(i, 'SYSTEM'), plan.timeout_seconds)
    if not findings.check('PART-3', inbox.subscriptions >= 1, f'{inbox.subscriptions} subscription(s) acknowledged'):
        raise ProbeStopped('PART-3')
    text = str((greeting or {}).get('Content') or '')
    findings.check('CHAT-2', plan.customer_name in text, f'the flow said {short(text)!r}' if greeting else
                   'no system message from the flow')
    with step(findings, 'PART-6'):
        sent_id, _ = await asyncio.to_thread(api.send_message, connection[0].connection_token, 'Pilot: hello')
    echo = await inbox.wait_for(lambda source, i: source == 'socket' and i.get('Id') == sent_id,
                                plan.timeout_seconds)
    findings.check('PART-6', echo is not None, f'echo of {sent_id} ' + ('came over the websocket' if echo else
                                                                       'never came over the websocket'))
    if echo is not None:
        named = contact_id in (echo.get('ContactId'), echo.get('InitialContactId'))
        findings.check('PART-4', named and echo.get('ContentType') == 'text/plain',
                       f'item keys {sorted(echo)}; names contact {named}')
    with step(findings, 'PART-7'):
        await asyncio.to_thread(api.send_typing, connection[0].connection_token)
    findings.holds('PART-7', f'SendEvent {TYPING} accepted')
    await asyncio.sleep(max(0.0, 2.5 * plan.heartbeat_seconds - (time.monotonic() - subscribed_at)))
    findings.check('PART-5', socket.connected and socket.connects == 1,
                   f'{socket.connects} connection(s) over {2.5 * plan.heartbeat_seconds:.1f} s of heartbeats')
    with step(findings, 'PART-8'):
        items = await asyncio.to_thread(api.get_transcript, connection[0].connection_token)
    ids = [i.get('Id') for i in items]
    shape = all({'Id', 'Type', 'ContentType', 'AbsoluteTime'} <= set(i) for i in items)
    findings.check('PART-8', sent_id in ids and shape, f'{len(items)} item(s), ours among them: {sent_id in ids}')


async def _in_queue(kit: PilotKit, findings: Findings, inbox: Inbox, contact_id: str) -> int | None:
    with step(findings, 'FLOW-2'):
        queued = await when_queued(kit, contact_id)
    queue = queue_id_of(queued)
    findings.check('PART-2', bool(queue), f'queued in {queue}' if queue else 'never queued')
    findings.check('FLOW-2', bool(queue) and queue.rsplit('/', 1)[-1] == kit.basic_queue_id,
                   f'QueueInfo.Id {queue!r}, BasicQueue {kit.basic_queue_id!r}')
    priority = queued.get('QueuePriority')
    attributes = queued.get('Attributes') or {}
    if not (queue and priority is not None and attributes.get('customerName') == kit.plan.customer_name):
        findings.broken('CONT-1', f'QueueInfo {bool(queue)}, QueuePriority {priority}, attributes {sorted(attributes)}')
    stamp = uuid.uuid4().hex[:12]
    with step(findings, 'CONT-2'):
        await asyncio.to_thread(write_attribute, kit, contact_id, ATTRIBUTE, stamp)
        written = (await asyncio.to_thread(describe, kit, contact_id)).get('Attributes') or {}
    findings.check('CONT-2', written.get(ATTRIBUTE) == stamp, f'{ATTRIBUTE} read back: {written.get(ATTRIBUTE)!r}')
    told = await inbox.wait_for(lambda _, i: _message(i, 'SYSTEM') and str(i.get('Content', '')).startswith(
        (POSITION_TEXT, WAITING_TEXT)), kit.plan.timeout_seconds)
    with step(findings, 'FLOW-4'):
        position = await asyncio.to_thread(position_in_queue, kit, contact_id)
    text = str((told or {}).get('Content') or '')
    if told is None:
        findings.not_tried(['FLOW-4'], 'the customer queue flow sent nothing in time')
    else:
        findings.check('FLOW-4', text.startswith(POSITION_TEXT),
                       f'the queue flow said {short(text, 60)!r}; GetContactMetrics POSITION_IN_QUEUE = {position}'
                       + ('' if text.startswith(POSITION_TEXT) else ': Connect loaded no position (see FLOW-4)'))
    return int(priority) if priority is not None else None


async def _leave(kit: PilotKit, findings: Findings, inbox: Inbox, socket: ParticipantSocket, contact_id: str,
                 participant_token: str, connection: list[ParticipantConnection]) -> None:
    """End the chat (always, so the sandbox keeps no pilot contact) and judge how it ended."""
    api = kit.api
    try:
        await asyncio.to_thread(api.disconnect_participant, connection[0].connection_token)
    except Exception as error:  # the verdict is that the chat did not end
        findings.broken('PART-9', f'DisconnectParticipant: {type(error).__name__}: {error}'[:400])
        await socket.stop()
        return
    ended = await inbox.wait_for(lambda s, i: s == 'socket' and i.get('ContentType') == CHAT_ENDED,
                                 kit.plan.timeout_seconds)
    await socket.stop()
    findings.check('PART-9', ended is not None, 'chat.ended ' + ('arrived' if ended else 'never arrived'))
    gone = await when_ended(kit, contact_id)
    queued = bool(gone.get('QueueInfo'))
    findings.check('CONT-1', queued and bool(gone.get('DisconnectTimestamp')),
                   f'QueueInfo, QueuePriority {gone.get("QueuePriority")}, customerName, DisconnectTimestamp '
                   f'{"set" if gone.get("DisconnectTimestamp") else "missing"}')
    try:
        await asyncio.to_thread(api.create_participant_connection, participant_token)
    except ConnectionRejected:
        findings.holds('PART-10', 'AccessDeniedException after leaving')
        return
    except Exception as error:
        findings.broken('PART-10', f'{type(error).__name__}: {error}'[:400])
        return
    findings.broken('PART-10', 'a new connection was given to a participant who left')
