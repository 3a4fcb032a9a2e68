"""The two real flow files, run end to end through the interpreter with a fake host."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from backend.flows.interpreter import FlowOutcome, run_flow
from backend.flows.loader import FlowLibrary, load_flow_library
from backend.flows.model import Flow
from tests.unit.flows.fake_host import FakeHost, queue_metrics

CONTACT_FLOWS = Path(__file__).resolve().parents[3] / 'contact_flows'
GREETING = 'Hi Ann! Welcome to our video contact centre.'
INVALID_REFERENCE = (
    'Unfortunately, the Reference you have provided is not valid, or has already expired. '
    'Please check your reference and try again.'
)
VALIDATED = 'Your Reference has been validated, we are connecting you to your agent.'
QUEUE_FULL = 'All our agents are busy and the queue is full. Please try again later.'
TECHNICAL_DIFFICULTIES = 'We are experiencing technical difficulties, please try again later!'
WAITING = 'Thank you for waiting, an agent will be with you shortly.'


@pytest.fixture(scope='module')
def library() -> FlowLibrary:
    return load_flow_library(CONTACT_FLOWS)


@pytest.fixture
def chat_flow(library: FlowLibrary) -> Flow:
    return library.get('VideoCallEscalationChat')


@pytest.fixture
def queue_flow(library: FlowLibrary) -> Flow:
    return library.get('VideoCallEscalationQueue')


def customer(**attributes: str) -> FakeHost:
    return FakeHost({'customerName': 'Ann', **attributes})


# --- the files themselves ---------------------------------------------------------------------------------------


@pytest.mark.parametrize('name', ['VideoCallEscalationChat', 'VideoCallEscalationQueue'])
def test_every_action_has_a_designer_position(name: str) -> None:
    data = json.loads((CONTACT_FLOWS / f'{name}.json').read_text(encoding='utf-8'))
    positions = data['Metadata']['ActionMetadata']
    assert set(positions) == {raw['Identifier'] for raw in data['Actions']}
    for metadata in positions.values():
        assert set(metadata['position']) == {'x', 'y'}


def test_chat_flow_references_resources_by_placeholder_arn(chat_flow: Flow, library: FlowLibrary) -> None:
    hook = chat_flow.action('set-customer-queue-flow').parameters['EventHooks']['CustomerQueue']
    assert hook == 'arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/contact-flow/VideoCallEscalationQueue'
    assert library.get(hook).name == 'VideoCallEscalationQueue'
    queue = chat_flow.action('set-basic-queue').parameters['QueueId']
    assert queue == 'arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/queue/BasicQueue'


# --- inbound chat flow ------------------------------------------------------------------------------------------


async def test_greeting_uses_the_customer_name(chat_flow: Flow) -> None:
    host = customer()
    await run_flow(chat_flow, host)
    assert host.messages[0] == GREETING
    assert host.called('set_logging') == [True]
    assert host.called('set_attributes') == [
        {'videoRecordingAutoStartEnabled': 'false', 'videoRecordingStartStopEnabled': 'false'}
    ]


async def test_invalid_reference_apologises_and_disconnects(chat_flow: Flow) -> None:
    host = customer(videoReferenceId='error')
    assert await run_flow(chat_flow, host) is FlowOutcome.DISCONNECTED
    assert host.messages == [GREETING, INVALID_REFERENCE]
    assert host.method_names[-1] == 'disconnect'
    assert host.called('transfer_to_queue') == []
    assert host.called('set_customer_queue_flow') == []


async def test_validated_reference_goes_to_the_agent_with_top_priority(chat_flow: Flow) -> None:
    host = customer(videoReferenceId='12345678', videoRouteToAgent='ann')
    assert await run_flow(chat_flow, host) is FlowOutcome.QUEUED
    assert host.messages == [GREETING, VALIDATED]
    assert host.called('set_priority') == [1]
    assert host.called('set_target_queue') == [{'queue_id': None, 'agent_id': 'ann'}]
    [hook] = host.called('set_customer_queue_flow')
    assert hook.endswith('/contact-flow/VideoCallEscalationQueue')
    assert host.method_names[-1] == 'transfer_to_queue'


async def test_validated_reference_without_agent_uses_the_standard_queue(chat_flow: Flow) -> None:
    host = customer(videoReferenceId='12345678')
    assert await run_flow(chat_flow, host) is FlowOutcome.QUEUED
    assert host.called('set_priority') == [1]
    [target] = host.called('set_target_queue')
    assert target['agent_id'] is None


async def test_no_reference_goes_to_the_standard_queue(chat_flow: Flow) -> None:
    host = customer()
    assert await run_flow(chat_flow, host) is FlowOutcome.QUEUED
    assert host.messages == [GREETING]
    assert host.called('set_priority') == []
    [target] = host.called('set_target_queue')
    assert target['agent_id'] is None
    assert target['queue_id'].endswith('/queue/BasicQueue')
    assert len(host.called('set_customer_queue_flow')) == 1


async def test_queue_at_capacity_is_retried_once(chat_flow: Flow) -> None:
    host = customer().fail('transfer_to_queue', 'QueueAtCapacity')
    assert await run_flow(chat_flow, host) is FlowOutcome.QUEUED
    assert len(host.called('transfer_to_queue')) == 2
    assert host.messages == [GREETING]


async def test_queue_at_capacity_twice_tells_the_customer_and_disconnects(chat_flow: Flow) -> None:
    host = customer().fail('transfer_to_queue', 'QueueAtCapacity', 'QueueAtCapacity')
    assert await run_flow(chat_flow, host) is FlowOutcome.DISCONNECTED
    assert len(host.called('transfer_to_queue')) == 2
    assert host.messages == [GREETING, QUEUE_FULL]
    assert host.method_names[-1] == 'disconnect'


@pytest.mark.parametrize(
    ('method', 'attributes'),
    [
        ('set_target_queue', {'videoReferenceId': '12345678', 'videoRouteToAgent': 'nobody'}),
        ('set_target_queue', {}),
        ('set_customer_queue_flow', {}),
        ('transfer_to_queue', {}),
    ],
)
async def test_errors_lead_to_technical_difficulties(chat_flow: Flow, method: str, attributes: dict[str, Any]) -> None:
    host = customer(**attributes).fail(method, 'NoMatchingError')
    assert await run_flow(chat_flow, host) is FlowOutcome.DISCONNECTED
    assert host.messages[-1] == TECHNICAL_DIFFICULTIES
    assert host.method_names[-1] == 'disconnect'


async def test_queue_at_capacity_then_no_matching_error_on_retry(chat_flow: Flow) -> None:
    host = customer().fail('transfer_to_queue', 'QueueAtCapacity', 'NoMatchingError')
    assert await run_flow(chat_flow, host) is FlowOutcome.DISCONNECTED
    assert host.messages[-1] == TECHNICAL_DIFFICULTIES


# --- customer queue flow ----------------------------------------------------------------------------------------


def _cancel_on_wait(number: int) -> Any:
    """A fake clock: waits return at once, and the ``number``-th wait is cancelled like the engine would."""

    async def hook(seconds: float, count: int) -> None:
        if count >= number:
            raise asyncio.CancelledError

    return hook


async def test_queue_flow_tells_the_position_every_20_seconds_until_cancelled(queue_flow: Flow) -> None:
    host = FakeHost(metrics=[queue_metrics(3), queue_metrics(2), queue_metrics(1)], wait_hook=_cancel_on_wait(3))
    with pytest.raises(asyncio.CancelledError):
        await run_flow(queue_flow, host)
    # each round is: load metrics, tell the position, wait; the third wait is where the contact left the queue
    assert host.called('wait') == [20, 20, 20]
    assert host.messages == [
        f'You are number {position} in the queue. Thank you for waiting, an agent will be with you shortly.'
        for position in (3, 2, 1)
    ]
    assert host.method_names[:3] == ['load_metrics', 'send_message', 'wait']


async def test_queue_flow_without_metrics_still_reassures_the_customer(queue_flow: Flow) -> None:
    host = FakeHost(metrics=[queue_metrics(2)], wait_hook=_cancel_on_wait(2)).fail('load_metrics', 'NoMatchingError')
    with pytest.raises(asyncio.CancelledError):
        await run_flow(queue_flow, host)
    assert host.messages == [
        WAITING,
        'You are number 2 in the queue. Thank you for waiting, an agent will be with you shortly.',
    ]
    assert host.called('wait') == [20, 20]


@pytest.mark.parametrize('metrics', [
    {'Queue': {'Size': 3, 'Name': 'BasicQueue'}},  # Connect gave queue metrics only (no contact-level option)
    queue_metrics(0),  # the contact is no longer counted in the queue
])
async def test_queue_flow_never_tells_an_empty_or_zero_position(queue_flow: Flow, metrics: dict[str, Any]) -> None:
    """GetMetricData's documented parameters select no contact-level metric, so Amazon Connect may load no
    position: the flow checks it before saying it ("You are number  in the queue" must never reach a customer)."""
    host = FakeHost(metrics=[metrics], wait_hook=_cancel_on_wait(1))
    with pytest.raises(asyncio.CancelledError):
        await run_flow(queue_flow, host)
    assert host.messages == [WAITING]


async def test_queue_flow_ends_quietly_if_waiting_fails(queue_flow: Flow) -> None:
    host = FakeHost().fail('wait', 'NoMatchingError')
    assert await run_flow(queue_flow, host) is FlowOutcome.ENDED
    assert len(host.messages) == 1
