"""Runs one customer through a real-world flow file in the local engine, for the corpus conformance test and
benchmarks/flow_corpus.py.

A file runs in the role its flow type gives it: an inbound (or disconnect, whisper, transfer) flow as the inbound
flow of a chat or call; a customer queue flow as the queue flow of a contact a small harness flow queues; a flow
module through a harness flow that invokes it. Timeouts pass at once for the first few waits and then never, so a
flow that waits for good (a queue flow's loop) stops where a real customer would still be waiting.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.adapters.local.engine.contact_centre import EngineConfig, LocalContactCentre
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import Channel, ParticipantRole
from backend.events import EventBus
from backend.flows import FLOW_VERSION, FlowLibrary, load_flow_file, parse_flow
from backend.flows.action_specs import HANDLER_ACTION_TYPES
from backend.flows.extensions import ActionRequest, ActionResult, FlowExtensions

HARNESS = 'CorpusHarness'
PASSING_WAITS = 3
SLEEP_YIELDS = 10


@dataclass(frozen=True)
class RunReport:
    """Where the customer ended up: the contact's state and end reason, what the flow said, how many inputs it
    asked for."""

    state: str
    end_reason: str | None
    messages: tuple[str, ...]
    inputs_asked: int


def _harness(role: str, target: str) -> dict[str, Any]:
    """A tiny inbound flow that puts the customer where a queue flow or a module runs."""
    actions: list[dict[str, Any]] = []
    if role == 'queue':
        actions += [
            {'Identifier': 'hook', 'Type': 'UpdateContactEventHooks', 'Parameters': {'EventHooks': {
                'CustomerQueue': target}}, 'Transitions': {'NextAction': 'queue'}},
            {'Identifier': 'queue', 'Type': 'UpdateContactTargetQueue', 'Parameters': {'QueueId': 'BasicQueue'},
             'Transitions': {'NextAction': 'transfer'}},
            {'Identifier': 'transfer', 'Type': 'TransferContactToQueue', 'Parameters': {}, 'Transitions': {}}]
    else:
        actions += [
            {'Identifier': 'module', 'Type': 'InvokeFlowModule', 'Parameters': {'FlowModuleId': target},
             'Transitions': {'NextAction': 'end', 'Errors': [{'ErrorType': 'NoMatchingError', 'NextAction': 'end'}]}},
            {'Identifier': 'end', 'Type': 'DisconnectParticipant', 'Parameters': {}, 'Transitions': {}}]
    return {'Version': FLOW_VERSION, 'StartAction': actions[0]['Identifier'], 'Actions': actions}


async def run_customer(path: Path, *, role: str, channel: str, answers: tuple[str, ...] = (),
                       extensions: FlowExtensions | None = None) -> RunReport:
    """Run one chat or call through the flow file; ``answers`` are typed (chat) or keyed (call) when asked;
    ``extensions`` answer its Lambda functions and cloud-only actions."""
    extensions = extensions or FlowExtensions()
    flow = load_flow_file(path, extensions.handled_types)
    flows = {flow.name: flow}
    inbound = flow.name
    if role in ('queue', 'module'):
        flows[HARNESS] = parse_flow(_harness(role, flow.name), name=HARNESS)
        inbound = HARNESS
    waits = 0

    async def sleep(seconds: float) -> None:
        nonlocal waits
        waits += 1
        if waits > PASSING_WAITS:
            await asyncio.Event().wait()
        for _ in range(SLEEP_YIELDS):  # long enough for a scripted answer to arrive first
            await asyncio.sleep(0)

    engine = LocalContactCentre(SqliteStore(':memory:'), EventBus(), FlowLibrary(flows), EngineConfig(
        inbound_flow=inbound, inbound_voice_flow=inbound, standard_queue='BasicQueue'), sleep=sleep,
        extensions=extensions)
    if channel == 'VOICE':
        contact = await engine.start_call(name='Corpus Caller', attributes={'customerName': 'Corpus Caller'})
    else:
        contact = await engine.start_chat(name='Corpus Customer', email='customer@example.com',
                                          attributes={'customerName': 'Corpus Customer'})
    pending, asked, was_waiting = list(answers), 0, False
    for _ in range(500):
        await asyncio.sleep(0)
        waiting = engine.awaits_input(contact.contact_id)
        if waiting and not was_waiting:
            asked += 1
            if pending:
                if contact.channel is Channel.VOICE:
                    await engine.customer_keypress(contact.contact_id, pending.pop(0))
                else:
                    await engine.customer_message(contact.contact_id, pending.pop(0))
        was_waiting = waiting
    final = engine.contact(contact.contact_id)
    messages = tuple(m.text for m in engine.transcript(contact.contact_id) if m.role is ParticipantRole.SYSTEM)
    await engine.stop()
    assert final is not None
    return RunReport(final.state.value, final.end_reason, messages, asked)


def stub_extensions() -> FlowExtensions:
    """Handlers for the cloud-only actions that answer "not understood" (a bot with no intent, a view closed
    without a choice), so a flow that uses them runs its no-match path offline."""
    extensions = FlowExtensions()

    async def not_understood(request: ActionRequest) -> ActionResult:
        return ActionResult(result='')

    for action_type in HANDLER_ACTION_TYPES:
        extensions.action(action_type)(not_understood)
    return extensions
