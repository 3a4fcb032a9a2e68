"""The local contact-centre engine, modelled on Amazon Connect.

Contacts (chats and phone calls) run their channel's inbound flow, wait in a queue (standard or an agent's personal
queue) while the customer queue flow runs, are offered to the best Available agent with free capacity for their
channel (priority first, then age), and go connected → after-contact work → ended. A live call is exclusive: an
agent who is ringing or talking on a call gets nothing else, and a call goes only to an agent with nothing live.
All state lives in the store; memory holds only what is open, so a restart rebuilds everything from the store and
routing carries on.

Every method runs on the event loop thread; none blocks for long, so no locks are needed. The one other thread is
the message writer's (message_writer.py): customers' messages are stored there, many per transaction, and come back
to the loop to be published.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from backend.adapters.local.engine.flow_host import ContactFlowHost
from backend.adapters.local.engine.participant_input import ParticipantInputs
from backend.adapters.local.message_writer import MessageWriter
from backend.adapters.local.sqlite_store import MessageDraft, SqliteStore
from backend.domain.errors import NotAllowed, NotFound
from backend.domain.hours_of_operation import HoursCalendar
from backend.domain.model import (
    AGENT_HELD_STATES,
    LIVE_STATES,
    SELECTABLE_STATUSES,
    Agent,
    AgentStatus,
    Channel,
    Contact,
    ContactState,
    Message,
    MessageKind,
    ParticipantRole,
)
from backend.events import (
    ALL_CONTACTS_TOPIC,
    AgentChanged,
    ContactChanged,
    EventBus,
    MessageAdded,
    TypingStarted,
    agent_topic,
    contact_topic,
)
from backend.flows import Flow, FlowLibrary, FlowOutcome, run_flow
from backend.flows.extensions import FlowExtensions
from backend.flows.host import FlowActionError
from backend.ports import AgentDesk, ContactNotes, CustomerChannel, CustomerVoiceChannel, Store

log = logging.getLogger('vce.engine')

SYSTEM_NAME = 'SYSTEM'
VOICE_CAPACITY = 1  # as in Amazon Connect: an agent handles at most one call (after-contact work included)


@dataclass(slots=True)
class Offer:
    username: str
    expires_at: float
    timer: asyncio.TimerHandle


@dataclass(frozen=True, slots=True)
class EngineConfig:
    inbound_flow: str
    standard_queue: str
    inbound_voice_flow: str = 'VideoCallEscalationVoice'
    queue_max_contacts: int = 500
    chat_concurrency: int = 2
    offer_timeout: float = 20.0


class LocalContactCentre(AgentDesk, CustomerChannel, CustomerVoiceChannel, ContactNotes):
    """The whole contact centre of local mode: the agents' desk, the customers' chat and phone lines, and notes on
    contacts."""

    def __init__(self, store: Store, bus: EventBus, flows: FlowLibrary, config: EngineConfig, *,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 hours: HoursCalendar | None = None, extensions: FlowExtensions | None = None) -> None:
        flows.get(config.inbound_flow)  # fail fast: the engine refuses to start without its inbound flows
        flows.get(config.inbound_voice_flow)
        self._store, self._bus, self._flows, self.config = store, bus, flows, config
        self._clock, self.sleep = clock, sleep
        self.hours = hours or HoursCalendar()
        self.extensions = extensions or FlowExtensions()
        self.inputs = ParticipantInputs(sleep)
        self._agents: dict[str, Agent] = {}
        self._contacts: dict[str, Contact] = {}
        self._offers: dict[str, Offer] = {}
        self._flow_tasks: dict[str, asyncio.Task[None]] = {}
        self._dispatching = False
        # customers' messages: group commit off the loop (message_writer.py); any other store commits per message
        self._writer = MessageWriter(store) if isinstance(store, SqliteStore) else None

    # lifecycle

    async def start(self) -> None:
        """Load agents and open contacts from the store and resume them where they were."""
        for agent in self._store.list_agents():
            self._agents[agent.username] = agent
        for contact in self._store.open_contacts():
            self._contacts[contact.contact_id] = contact
            if contact.state in (ContactState.INITIATED, ContactState.IN_FLOW):
                self._start_inbound_flow(contact)
            elif contact.state in (ContactState.QUEUED, ContactState.CONNECTING):
                if contact.state is ContactState.CONNECTING:
                    contact.state, contact.agent_username = ContactState.QUEUED, None
                    self._save(contact)
                self._start_queue_flow(contact)
        log.info('engine.started agents=%d open_contacts=%d', len(self._agents), len(self._contacts))
        self._dispatch()

    async def stop(self) -> None:
        for offer in self._offers.values():
            offer.timer.cancel()
        tasks = list(self._flow_tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._flow_tasks.clear()
        if self._writer is not None:
            self._writer.close()  # what customers sent is stored before the store closes

    # customer side

    async def start_chat(self, *, name: str, email: str, attributes: dict[str, str]) -> Contact:
        contact = Contact(contact_id=str(uuid.uuid4()), customer_name=name, customer_email=email,
                          initiated_at=self._clock(), attributes=dict(attributes))
        self._contacts[contact.contact_id] = contact
        self._save(contact)
        log.info('contact.initiated contact=%s channel=%s', contact.contact_id, contact.channel)
        self._start_inbound_flow(contact)
        return self._snapshot(contact)

    async def start_call(self, *, name: str, attributes: dict[str, str]) -> Contact:
        """A customer phones in (local mode: the browser phone page); the call runs the inbound voice flow."""
        contact = Contact(contact_id=str(uuid.uuid4()), customer_name=name, customer_email='',
                          initiated_at=self._clock(), attributes=dict(attributes), channel=Channel.VOICE)
        self._contacts[contact.contact_id] = contact
        self._save(contact)
        log.info('contact.initiated contact=%s channel=%s', contact.contact_id, contact.channel)
        self._start_inbound_flow(contact)
        return self._snapshot(contact)

    async def customer_message(self, contact_id: str, text: str) -> Message:
        contact = self._open_contact(contact_id)
        _refuse_chat_on_call(contact)
        if contact.state is ContactState.AFTER_CONTACT_WORK:
            raise NotAllowed('This chat has ended. Start a new chat to talk to us again.')
        message = await self._add_customer_message(contact, text)
        self.inputs.offer(contact_id, text)  # the answer to a flow's GetParticipantInput, if one is waiting
        return message

    async def customer_keypress(self, contact_id: str, keys: str) -> None:
        """Keypad keys from the caller (the phone page's keypad): input for a flow's GetParticipantInput."""
        contact = self._open_contact(contact_id)
        if contact.channel is not Channel.VOICE:
            raise NotAllowed('Keypad keys are for phone calls.')
        for key in keys:
            if key not in '0123456789*#':
                raise NotAllowed(f'{key!r} is not a keypad key.')
            self.inputs.offer(contact_id, key)

    def awaits_input(self, contact_id: str) -> bool:
        """Whether the contact's flow is waiting for the customer's input right now (the phone page's keypad)."""
        return self.inputs.is_waiting(contact_id)

    def customer_typing(self, contact_id: str) -> None:
        contact = self._contacts.get(contact_id)
        if contact is not None and contact.state is ContactState.CONNECTED and contact.channel is Channel.CHAT:
            self._publish(contact, TypingStarted(contact_id, ParticipantRole.CUSTOMER))

    async def customer_end(self, contact_id: str) -> None:
        """The customer ended the chat or hung up: an agent gets after-contact work, anything earlier just ends."""
        contact = self._contacts.get(contact_id)
        if contact is None or contact.state is ContactState.AFTER_CONTACT_WORK:
            return
        if contact.state is ContactState.CONNECTED:
            self._add_event(contact, 'The customer hung up.' if contact.channel is Channel.VOICE
                            else 'The customer left the chat.')
            self._to_after_contact_work(contact, 'customer_ended')
        else:
            self._end(contact, 'customer_ended')
            self._dispatch()

    # agent side

    def load_agent(self, username: str) -> Agent:
        """(Re)load an agent from the store, e.g. after ``vce agents add`` ran in another process."""
        stored = self._store.get_agent(username)
        if stored is None:
            raise NotFound(f'No agent named {username!r}.')
        current = self._agents.get(username)
        if current is None:
            self._agents[username] = stored
            return dataclasses.replace(stored)
        current.display_name, current.routing_queues = stored.display_name, stored.routing_queues
        return dataclasses.replace(current)

    def agent(self, username: str) -> Agent:
        return dataclasses.replace(self._agent(username))

    def set_agent_status(self, username: str, status: AgentStatus) -> Agent:
        agent = self._agent(username)
        if status not in SELECTABLE_STATUSES:
            raise NotAllowed(f'{status.value} is set by the system, not chosen.')
        if status is not AgentStatus.AVAILABLE:
            for contact_id, offer in list(self._offers.items()):
                if offer.username == username:
                    self._withdraw_offer(self._contacts[contact_id])
        self._set_status(agent, status)
        self._dispatch()
        return dataclasses.replace(agent)

    def agent_contacts(self, username: str) -> list[Contact]:
        return [self._snapshot(c) for c in self._contacts.values()
                if c.agent_username == username and c.state in AGENT_HELD_STATES]

    def agent_contact(self, username: str, contact_id: str) -> Contact:
        return self._snapshot(self._held_by(username, contact_id))

    def offer_for(self, username: str) -> tuple[Contact, float] | None:
        for contact_id, offer in self._offers.items():
            if offer.username == username:
                return self._snapshot(self._contacts[contact_id]), offer.expires_at
        return None

    def accept(self, username: str, contact_id: str) -> Contact:
        contact = self._offered_to(username, contact_id)
        self._offers.pop(contact_id).timer.cancel()
        self._cancel_flow(contact_id)
        contact.state, contact.connected_at = ContactState.CONNECTED, self._clock()
        self._save(contact)
        log.info('contact.connected contact=%s agent=%s', contact_id, username)
        self._publish(contact, ContactChanged(self._snapshot(contact)))
        name = self._agent(username).display_name
        self._add_event(contact, f'{name} answered the call.' if contact.channel is Channel.VOICE
                        else f'{name} joined the chat.')
        self._dispatch()  # the agent may have room for another chat
        return self._snapshot(contact)

    def reject(self, username: str, contact_id: str) -> None:
        contact = self._offered_to(username, contact_id)
        self._withdraw_offer(contact)
        log.info('contact.rejected contact=%s agent=%s', contact_id, username)
        self._set_status(self._agent(username), AgentStatus.REJECTED)
        self._dispatch()

    def agent_message(self, username: str, contact_id: str, text: str) -> Message:
        contact = self._held_by(username, contact_id)
        _refuse_chat_on_call(contact)
        if contact.state is not ContactState.CONNECTED:
            raise NotAllowed('This chat is no longer connected; the customer cannot receive messages.')
        return self._add_message(contact, ParticipantRole.AGENT, self._agent(username).display_name, text)

    def agent_typing(self, username: str, contact_id: str) -> None:
        contact = self._contacts.get(contact_id)
        if (contact is not None and contact.agent_username == username and contact.state is ContactState.CONNECTED
                and contact.channel is Channel.CHAT):
            self._publish(contact, TypingStarted(contact_id, ParticipantRole.AGENT))

    def end_contact(self, username: str, contact_id: str) -> Contact:
        contact = self._held_by(username, contact_id)
        if contact.state is not ContactState.CONNECTED:
            raise NotAllowed('Only a connected contact can be ended.')
        self._add_event(contact, 'The agent ended the call.' if contact.channel is Channel.VOICE
                        else 'The agent ended the chat.')
        self._to_after_contact_work(contact, 'agent_ended')
        return self._snapshot(contact)

    def clear_contact(self, username: str, contact_id: str) -> None:
        contact = self._held_by(username, contact_id)
        if contact.state is not ContactState.AFTER_CONTACT_WORK:
            raise NotAllowed('End the contact before clearing it.')
        self._end(contact, contact.end_reason or 'cleared')
        self._dispatch()

    def set_contact_attributes(self, contact_id: str, values: dict[str, str]) -> None:
        self.update_attributes(self._open_contact(contact_id), values)

    def add_event(self, contact_id: str, text: str) -> None:
        """A readable line in the transcript, e.g. that a video session started."""
        self._add_event(self._open_contact(contact_id), text)

    # reads

    def contact(self, contact_id: str) -> Contact | None:
        contact = self._contacts.get(contact_id)
        if contact is not None:
            return self._snapshot(contact)
        return self._store.get_contact(contact_id)

    def transcript(self, contact_id: str) -> list[Message]:
        return self._store.transcript(contact_id)

    # used by ContactFlowHost

    def flow(self, ref: str) -> Flow:
        """A flow or flow module by name or ARN; KeyError when there is none."""
        return self._flows.get(ref)

    def in_hours(self, hours_ref: str | None, contact: Contact) -> bool:
        """CheckHoursOfOperation: named hours, else the target queue's; a queue without hours is always open."""
        if hours_ref:
            hours = self.hours.find(hours_ref)
            if hours is None:
                raise FlowActionError('NoMatchingError', f'no hours of operation {hours_ref!r}')
            return hours.is_open(self._clock())
        if contact.queue_id is None:
            raise FlowActionError('NoMatchingError', 'no working queue set, so no hours of operation to check')
        queue_hours = self.hours.for_queue(contact.queue_id)
        return True if queue_hours is None else queue_hours.is_open(self._clock())

    def update_flow_settings(self, contact: Contact, section: str, values: dict[str, object]) -> None:
        contact.flow_settings.setdefault(section, {}).update(values)
        self._save(contact)

    def has_flow(self, ref: str) -> bool:
        try:
            self._flows.get(ref)
        except KeyError:
            return False
        return True

    def resolve_queue(self, *, queue_id: str | None = None, agent_id: str | None = None) -> str | None:
        """``agent_id`` is an agent's id or ARN, as Connect's ``UpdateContactTargetQueue.AgentId`` takes it: a
        username routes nowhere there, so it routes nowhere here either (one flow file works in both modes)."""
        if agent_id:
            key = agent_id.rsplit('/', 1)[-1]
            for agent in self._agents.values():
                if key == agent.agent_id:
                    return agent.personal_queue
            stored = next((a for a in self._store.list_agents() if a.agent_id == key), None)
            if stored is not None:  # an account added since the engine started
                self._agents[stored.username] = stored
                return stored.personal_queue
            return None
        if queue_id:
            key = queue_id.rsplit('/', 1)[-1]
            if key == self.config.standard_queue:
                return key
        return None

    def queue_name(self, queue_id: str) -> str:
        if queue_id.startswith('agent/'):
            agent_id = queue_id.removeprefix('agent/')
            for agent in self._agents.values():
                if agent.agent_id == agent_id:
                    return f'{agent.display_name} (personal)'
        return queue_id

    def metrics(self, queue_id: str, contact: Contact) -> dict[str, object]:
        queued = sorted((c for c in self._contacts.values()  # an offered contact still waits, from its point of view
                         if c.state in (ContactState.QUEUED, ContactState.CONNECTING) and c.queue_id == queue_id),
                        key=_routing_key)
        now = self._clock()
        position = next((i for i, c in enumerate(queued, 1) if c.contact_id == contact.contact_id), 0)
        serving = [a for a in self._agents.values() if queue_id in a.queues]
        return {
            'Queue': {'Name': self.queue_name(queue_id), 'ARN': queue_id, 'Size': len(queued),
                      'OldestContactAge': int(now - queued[0].enqueued_at) if queued and queued[0].enqueued_at else 0},
            'Agents': {'Online': {'Count': sum(a.status is not AgentStatus.OFFLINE for a in serving)},
                       'Staffed': {'Count': sum(a.status is not AgentStatus.OFFLINE for a in serving)},
                       'Available': {'Count': sum(a.status is AgentStatus.AVAILABLE for a in serving)}},
            'Contact': {'PositionInQueue': position},
        }

    def update_attributes(self, contact: Contact, values: dict[str, str]) -> None:
        contact.attributes.update(values)
        self._save(contact)

    def set_priority(self, contact: Contact, priority: int) -> None:
        contact.priority = priority
        self._save(contact)

    def system_message(self, contact: Contact, text: str) -> None:
        self._add_message(contact, ParticipantRole.SYSTEM, SYSTEM_NAME, text)

    def enqueue(self, contact: Contact) -> None:
        if contact.queue_id is None:
            raise FlowActionError('NoMatchingError', 'no working queue set')
        waiting = sum(1 for c in self._contacts.values()
                      if c.queue_id == contact.queue_id and c.state is ContactState.QUEUED)
        if waiting >= self.config.queue_max_contacts:
            raise FlowActionError('QueueAtCapacity')
        contact.state, contact.enqueued_at = ContactState.QUEUED, self._clock()
        self._save(contact)
        log.info('contact.queued contact=%s queue=%s priority=%d', contact.contact_id, contact.queue_id,
                 contact.priority)
        self._publish(contact, ContactChanged(self._snapshot(contact)))
        self._start_queue_flow(contact)
        self._dispatch()

    def flow_disconnect(self, contact: Contact) -> None:
        self._end(contact, 'flow_disconnected')
        self._dispatch()

    # internals: flows

    def _start_inbound_flow(self, contact: Contact) -> None:
        contact.state = ContactState.IN_FLOW
        self._save(contact)
        self._run_flow_task(contact, self.config.inbound_voice_flow if contact.channel is Channel.VOICE
                            else self.config.inbound_flow)

    def _start_queue_flow(self, contact: Contact) -> None:
        if contact.customer_queue_flow and contact.contact_id not in self._flow_tasks:
            self._run_flow_task(contact, contact.customer_queue_flow)

    def _run_flow_task(self, contact: Contact, flow_ref: str) -> None:
        flow = self._flows.get(flow_ref)
        task = asyncio.get_running_loop().create_task(self._run_flow(contact, flow.name, flow_ref))
        self._flow_tasks[contact.contact_id] = task

    async def _run_flow(self, contact: Contact, flow_name: str, flow_ref: str) -> None:
        log.info('flow.started contact=%s flow=%s', contact.contact_id, flow_name)
        try:
            outcome = await run_flow(self._flows.get(flow_ref), ContactFlowHost(self, contact))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception('flow.crashed contact=%s flow=%s', contact.contact_id, flow_name)
            outcome = FlowOutcome.FAILED
        finally:
            if self._flow_tasks.get(contact.contact_id) is asyncio.current_task():
                del self._flow_tasks[contact.contact_id]
        log.info('flow.finished contact=%s flow=%s outcome=%s', contact.contact_id, flow_name, outcome.name)
        if outcome is FlowOutcome.QUEUED and contact.state in (ContactState.QUEUED, ContactState.CONNECTING):
            self._start_queue_flow(contact)  # the inbound flow's task is gone now; start the queue flow's
        elif outcome is FlowOutcome.ENDED and contact.state in (ContactState.INITIATED, ContactState.IN_FLOW):
            # EndFlowExecution before queueing: "ending the flow results in the contact being ended" (Connect)
            self._end(contact, 'flow_ended')
        elif contact.state in (ContactState.INITIATED, ContactState.IN_FLOW):
            what = 'call' if contact.channel is Channel.VOICE else 'chat'
            self.system_message(contact, f'Sorry, we could not connect your {what}. Please try again later.')
            self._end(contact, 'flow_failed')

    def _cancel_flow(self, contact_id: str) -> None:
        task = self._flow_tasks.pop(contact_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    # internals: routing

    def _dispatch(self) -> None:
        """Offer the best waiting contacts to Available agents with free capacity, longest-idle agent first.

        One pass over the contacts sorts the waiting ones and groups the held ones by agent; each ready agent then
        takes the first waiting contact it can serve. (Scanning every contact for every ready agent made each
        dispatch cost agents x contacts: a second of routing per few hundred arrivals at 1,000 open chats.)
        """
        if self._dispatching:
            return
        self._dispatching = True
        try:
            waiting: list[Contact] = []
            held: dict[str, list[Contact]] = {}
            for contact in self._contacts.values():
                if contact.state is ContactState.QUEUED:
                    waiting.append(contact)
                elif contact.agent_username and contact.state in AGENT_HELD_STATES:
                    held.setdefault(contact.agent_username, []).append(contact)
            if not waiting:
                return
            waiting.sort(key=_routing_key)  # stable: equal keys keep their arrival order, as min() did
            offered = {offer.username for offer in self._offers.values()}
            ready = sorted((a for a in self._agents.values()
                            if a.status is AgentStatus.AVAILABLE and a.username not in offered),
                           key=lambda a: a.status_since)
            for agent in ready:
                best = self._best_contact_for(agent, held.get(agent.username, []), waiting)
                if best is not None:
                    waiting.remove(best)
                    self._offer(best, agent)
        finally:
            self._dispatching = False

    def _best_contact_for(self, agent: Agent, held: list[Contact], waiting: list[Contact]) -> Contact | None:
        """The first waiting contact (in routing order) in the agent's queues whose channel the agent has room for."""
        if any(c.channel is Channel.VOICE and c.state in LIVE_STATES for c in held):
            return None  # a live call is exclusive (no cross-channel concurrency)
        room = {
            Channel.CHAT: sum(c.channel is Channel.CHAT for c in held) < self.config.chat_concurrency,
            # a call needs an agent with nothing live; a call in after-contact work blocks only another call
            Channel.VOICE: (not any(c.state in LIVE_STATES for c in held)
                            and sum(c.channel is Channel.VOICE for c in held) < VOICE_CAPACITY),
        }
        if not any(room.values()):
            return None
        queues = set(agent.queues)
        return next((c for c in waiting  # still queued: an earlier offer's subscribers may have changed things
                     if c.queue_id in queues and room[c.channel] and c.state is ContactState.QUEUED), None)

    def _offer(self, contact: Contact, agent: Agent) -> None:
        contact.state, contact.agent_username = ContactState.CONNECTING, agent.username
        self._save(contact)
        expires_at = self._clock() + self.config.offer_timeout
        timer = asyncio.get_running_loop().call_later(self.config.offer_timeout, self._offer_timed_out,
                                                      contact.contact_id, agent.username)
        self._offers[contact.contact_id] = Offer(agent.username, expires_at, timer)
        log.info('contact.offered contact=%s agent=%s', contact.contact_id, agent.username)
        self._publish(contact, ContactChanged(self._snapshot(contact), offer_expires_at=expires_at))

    def _offer_timed_out(self, contact_id: str, username: str) -> None:
        offer = self._offers.get(contact_id)
        if offer is None or offer.username != username:
            return
        log.info('contact.offer_missed contact=%s agent=%s', contact_id, username)
        self._withdraw_offer(self._contacts[contact_id])
        self._set_status(self._agent(username), AgentStatus.MISSED)
        self._dispatch()

    def _withdraw_offer(self, contact: Contact) -> None:
        """Put an offered contact back in its queue, keeping its place (priority and enqueue time)."""
        offer = self._offers.pop(contact.contact_id, None)
        if offer is not None:
            offer.timer.cancel()
        username = contact.agent_username
        contact.state, contact.agent_username = ContactState.QUEUED, None
        self._save(contact)
        self._start_queue_flow(contact)
        snapshot = ContactChanged(self._snapshot(contact))
        self._publish(contact, snapshot)
        if username:
            self._bus.publish(agent_topic(username), snapshot)

    def _offered_to(self, username: str, contact_id: str) -> Contact:
        offer = self._offers.get(contact_id)
        if offer is None or offer.username != username:
            raise NotAllowed('This contact is no longer offered to you.')
        return self._contacts[contact_id]

    # internals: state changes

    def _to_after_contact_work(self, contact: Contact, reason: str) -> None:
        contact.state, contact.end_reason = ContactState.AFTER_CONTACT_WORK, reason
        self._save(contact)
        log.info('contact.after_contact_work contact=%s agent=%s reason=%s', contact.contact_id,
                 contact.agent_username, reason)
        self._publish(contact, ContactChanged(self._snapshot(contact)))
        self._dispatch()  # an ended call frees its agent for chats at once

    def _end(self, contact: Contact, reason: str) -> None:
        self._cancel_flow(contact.contact_id)
        username = contact.agent_username
        offer = self._offers.pop(contact.contact_id, None)
        if offer is not None:
            offer.timer.cancel()
        contact.state, contact.ended_at, contact.end_reason = ContactState.ENDED, self._clock(), reason
        self._save(contact)
        self._contacts.pop(contact.contact_id, None)
        log.info('contact.ended contact=%s agent=%s reason=%s', contact.contact_id, username, reason)
        self._publish(contact, ContactChanged(self._snapshot(contact)))

    def _set_status(self, agent: Agent, status: AgentStatus) -> None:
        agent.status, agent.status_since = status, self._clock()
        self._store.set_agent_status(agent.username, status, agent.status_since)
        log.info('agent.status agent=%s status=%s', agent.username, status.value)
        self._bus.publish(agent_topic(agent.username), AgentChanged(dataclasses.replace(agent)))

    async def _add_customer_message(self, contact: Contact, text: str) -> Message:
        """Stored by the writer thread with others (group commit); published once durable, then returned."""
        if self._writer is None:
            return self._add_message(contact, ParticipantRole.CUSTOMER, contact.customer_name, text)
        draft = MessageDraft(contact.contact_id, ParticipantRole.CUSTOMER, contact.customer_name, text,
                             MessageKind.MESSAGE, self._clock())
        return await self._writer.append(
            draft, lambda message: self._publish(contact, MessageAdded(contact.contact_id, message)))

    def _add_message(self, contact: Contact, role: ParticipantRole, name: str, text: str,
                     kind: MessageKind = MessageKind.MESSAGE) -> Message:
        with self._ordered():
            message = self._store.append_message(contact.contact_id, role, name, text, kind, self._clock())
            self._publish(contact, MessageAdded(contact.contact_id, message))
        return message

    def _add_event(self, contact: Contact, text: str) -> None:
        self._add_message(contact, ParticipantRole.SYSTEM, SYSTEM_NAME, text, MessageKind.EVENT)

    def _ordered(self) -> AbstractContextManager[None]:
        """Messages stored on the loop are published in sequence order with the writer's (message_writer.py)."""
        return self._writer.ordered() if self._writer is not None else contextlib.nullcontext()

    def _publish(self, contact: Contact, event: MessageAdded | TypingStarted | ContactChanged) -> None:
        self._bus.publish(contact_topic(contact.contact_id), event)
        if contact.agent_username:
            self._bus.publish(agent_topic(contact.agent_username), event)
        if isinstance(event, ContactChanged):
            self._bus.publish(ALL_CONTACTS_TOPIC, event)

    def _save(self, contact: Contact) -> None:
        self._store.save_contact(contact)

    def _agent(self, username: str) -> Agent:
        agent = self._agents.get(username)
        if agent is None:
            raise NotFound(f'No agent named {username!r}.')
        return agent

    def _open_contact(self, contact_id: str) -> Contact:
        contact = self._contacts.get(contact_id)
        if contact is None:
            raise NotFound('This chat has ended or does not exist.')
        return contact

    def _held_by(self, username: str, contact_id: str) -> Contact:
        contact = self._contacts.get(contact_id)
        if contact is None or contact.agent_username != username or contact.state not in AGENT_HELD_STATES:
            raise NotFound('No such contact on your desktop.')
        return contact

    @staticmethod
    def _snapshot(contact: Contact) -> Contact:
        return dataclasses.replace(contact, attributes=dict(contact.attributes),
                                   flow_settings={key: dict(value) for key, value in contact.flow_settings.items()})


def _refuse_chat_on_call(contact: Contact) -> None:
    if contact.channel is Channel.VOICE:
        raise NotAllowed('This contact is a phone call: chat messages cannot be sent on it.')


def _routing_key(contact: Contact) -> tuple[int, float]:
    """Priority first, then age in queue (a flow's QueueTimeAdjustmentSeconds makes a contact count as older)."""
    adjustment = contact.flow_settings.get('Routing', {}).get('QueueTimeAdjustmentSeconds', 0)
    return contact.priority, (contact.enqueued_at or 0.0) - adjustment
