"""The inbound voice flow file, run through the interpreter with a fake host: greeting, queueing, failure paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.flows.interpreter import FlowOutcome, run_flow
from backend.flows.loader import load_flow_library
from backend.flows.model import Flow
from tests.unit.flows.fake_host import FakeHost, queue_metrics

CONTACT_FLOWS = Path(__file__).resolve().parents[2] / 'contact_flows'
GREETING = ('Hi Vic! Thank you for calling our video contact centre. '
            'Please hold while we connect you to an agent.')
QUEUE_FULL = 'All our agents are busy and the queue is full. Please call again later.'
TECHNICAL_DIFFICULTIES = 'We are experiencing technical difficulties, please call again later!'


@pytest.fixture(scope='module')
def voice_flow() -> Flow:
    return load_flow_library(CONTACT_FLOWS).get('VideoCallEscalationVoice')


def caller() -> FakeHost:
    return FakeHost({'customerName': 'Vic'})


def test_every_action_has_a_designer_position() -> None:
    data = json.loads((CONTACT_FLOWS / 'VideoCallEscalationVoice.json').read_text(encoding='utf-8'))
    assert data['Metadata']['name'] == 'VideoCallEscalationVoice' and data['Metadata']['type'] == 'contactFlow'
    assert set(data['Metadata']['ActionMetadata']) == {raw['Identifier'] for raw in data['Actions']}


async def test_the_caller_is_greeted_and_queued_in_the_standard_queue(voice_flow: Flow) -> None:
    host = caller()
    assert await run_flow(voice_flow, host) is FlowOutcome.QUEUED
    assert host.messages == [GREETING]
    assert host.called('set_logging') == [True]
    [hook] = host.called('set_customer_queue_flow')  # calls wait in their own queue flow (Wait is chat-only)
    assert hook == 'arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/contact-flow/VideoCallEscalationVoiceQueue'
    [target] = host.called('set_target_queue')
    assert target == {'queue_id': 'arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/queue/BasicQueue',
                      'agent_id': None}
    assert host.called('set_priority') == []  # calls keep the default priority
    assert host.method_names[-1] == 'transfer_to_queue'


async def test_a_full_queue_is_retried_once(voice_flow: Flow) -> None:
    host = caller().fail('transfer_to_queue', 'QueueAtCapacity')
    assert await run_flow(voice_flow, host) is FlowOutcome.QUEUED
    assert len(host.called('transfer_to_queue')) == 2


async def test_a_queue_full_twice_tells_the_caller_and_hangs_up(voice_flow: Flow) -> None:
    host = caller().fail('transfer_to_queue', 'QueueAtCapacity', 'QueueAtCapacity')
    assert await run_flow(voice_flow, host) is FlowOutcome.DISCONNECTED
    assert host.messages == [GREETING, QUEUE_FULL]
    assert host.method_names[-1] == 'disconnect'


@pytest.mark.parametrize('method', ['set_customer_queue_flow', 'set_target_queue', 'transfer_to_queue'])
async def test_errors_lead_to_technical_difficulties(voice_flow: Flow, method: str) -> None:
    host = caller().fail(method, 'NoMatchingError')
    assert await run_flow(voice_flow, host) is FlowOutcome.DISCONNECTED
    assert host.messages[-1] == TECHNICAL_DIFFICULTIES
    assert host.method_names[-1] == 'disconnect'


@pytest.fixture(scope='module')
def voice_queue_flow() -> Flow:
    return load_flow_library(CONTACT_FLOWS).get('VideoCallEscalationVoiceQueue')


def test_the_voice_queue_flow_uses_nothing_chat_only() -> None:
    data = json.loads((CONTACT_FLOWS / 'VideoCallEscalationVoiceQueue.json').read_text(encoding='utf-8'))
    assert data['Metadata']['type'] == 'customerQueue'
    assert {raw['Type'] for raw in data['Actions']} == {'GetMetricData', 'Compare', 'MessageParticipantIteratively',
                                                       'EndFlowExecution'}
    assert set(data['Metadata']['ActionMetadata']) == {raw['Identifier'] for raw in data['Actions']}


async def test_the_caller_hears_the_position_again_after_each_interrupt(voice_queue_flow: Flow) -> None:
    async def hang_up_on_the_third_interrupt(seconds: float, count: int) -> None:
        if count == 3:
            raise RuntimeError('hung up')

    host = FakeHost(channel='VOICE', metrics=[queue_metrics(3), queue_metrics(2), queue_metrics(1)],
                    wait_hook=hang_up_on_the_third_interrupt)
    await run_flow(voice_queue_flow, host)
    assert [text.split('.')[0] for text in host.messages] == [
        'You are number 3 in the queue', 'You are number 2 in the queue', 'You are number 1 in the queue']
    assert host.called('wait') == [20, 20, 20]


async def test_without_metrics_the_caller_still_hears_that_someone_will_answer(voice_queue_flow: Flow) -> None:
    async def hang_up(seconds: float, count: int) -> None:
        raise RuntimeError('hung up')

    host = FakeHost(channel='VOICE', wait_hook=hang_up).fail('load_metrics', 'NoMatchingError')
    await run_flow(voice_queue_flow, host)
    assert host.messages == ['Thank you for waiting, an agent will be with you shortly.']


@pytest.mark.parametrize('metrics', [
    {'Queue': {'Size': 3, 'Name': 'BasicQueue'}},  # Connect gave queue metrics only (no contact-level option)
    queue_metrics(0),  # the contact is no longer counted in the queue
])
async def test_the_caller_never_hears_an_empty_or_zero_position(voice_queue_flow: Flow, metrics: dict) -> None:
    async def hang_up(seconds: float, count: int) -> None:
        raise RuntimeError('hung up')

    host = FakeHost(channel='VOICE', metrics=[metrics], wait_hook=hang_up)
    await run_flow(voice_queue_flow, host)
    assert host.messages == ['Thank you for waiting, an agent will be with you shortly.']
