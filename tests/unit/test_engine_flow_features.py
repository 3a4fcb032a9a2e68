"""The local engine running the flow-language actions real flows use: input, Lambda functions, hours of operation,
modules, EndFlowExecution, routing age, and what flows keep on the contact."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.adapters.local.engine.contact_centre import EngineConfig, LocalContactCentre
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import NotAllowed
from backend.domain.hours_of_operation import load_hours
from backend.domain.model import AgentStatus, ContactState
from backend.events import EventBus
from backend.flows import FlowLibrary, parse_flow
from backend.flows.extensions import FlowExtensions
from tests.unit.engine_fixtures import add_agent, settle
from tests.unit.flows.fake_host import DISCONNECT, END, action, flow_json, message

QUEUE = 'arn:aws:connect:r:1:instance/i/queue/BasicQueue'
TO_QUEUE = [action('set-queue', 'UpdateContactTargetQueue', {'QueueId': QUEUE}, next_action='transfer',
                   errors={'NoMatchingError': 'bye'}),
            action('transfer', 'TransferContactToQueue', errors={'NoMatchingError': 'bye'}),
            DISCONNECT]


def engine_with(*actions: dict[str, Any], modules: dict[str, list[dict[str, Any]]] | None = None,
                **options: Any) -> tuple[LocalContactCentre, SqliteStore]:
    flows = {'Inbound': parse_flow(flow_json(*actions), name='Inbound')}
    for name, module in (modules or {}).items():
        flows[name] = parse_flow(flow_json(*module), name=name)
    store = SqliteStore(':memory:')
    config = EngineConfig(inbound_flow='Inbound', inbound_voice_flow='Inbound', standard_queue='BasicQueue')
    return LocalContactCentre(store, EventBus(), FlowLibrary(flows), config, **options), store


async def chat(engine: LocalContactCentre, name: str = 'Ann') -> str:
    contact = await engine.start_chat(name=name, email='ann@example.com', attributes={'customerName': name})
    await settle()
    return contact.contact_id


def said(engine: LocalContactCentre, contact_id: str) -> list[str]:
    return [m.text for m in engine.transcript(contact_id)]


async def test_end_flow_execution_before_queueing_ends_the_contact_as_flow_ended() -> None:
    engine, store = engine_with(message('bye-now', 'Goodbye', next_action='end'), END)
    contact_id = await chat(engine)
    ended = store.get_contact(contact_id)
    assert ended is not None and ended.state is ContactState.ENDED and ended.end_reason == 'flow_ended'
    assert said(engine, contact_id) == ['Goodbye']  # no "could not connect" apology: the flow chose to end


async def test_queue_name_before_a_queue_is_set_sends_no_empty_message() -> None:
    engine, _ = engine_with(message('early', '$.Queue.Name', next_action='set-queue'),
                            action('set-queue', 'UpdateContactTargetQueue', {'QueueId': QUEUE}, next_action='late'),
                            message('late', 'Queue: $.Queue.Name', next_action='transfer'), *TO_QUEUE[1:])
    contact_id = await chat(engine)
    assert said(engine, contact_id) == ['Queue: BasicQueue']


def menu() -> list[dict[str, Any]]:
    ask = action('menu', 'GetParticipantInput', {'Text': 'Type 1 for sales', 'StoreInput': 'False',
                                                 'InputTimeLimitSeconds': '30'},
                 next_action='end', conditions=[('Equals', '1', 'sales')],
                 errors={'InputTimeLimitExceeded': 'timeout', 'NoMatchingCondition': 'other',
                         'NoMatchingError': 'bye'})
    return [ask, message('sales', 'Sales it is', next_action='end'), message('timeout', 'Too slow', next_action='end'),
            message('other', 'Not an option', next_action='end'), END, DISCONNECT]


@pytest.mark.parametrize(('typed', 'answer'), [('1', 'Sales it is'), ('9', 'Not an option')])
async def test_chat_input_is_the_customers_next_message(typed: str, answer: str) -> None:
    engine, _ = engine_with(*menu())
    contact_id = await chat(engine)
    assert engine.awaits_input(contact_id)
    await engine.customer_message(contact_id, typed)
    await settle()
    assert said(engine, contact_id) == ['Type 1 for sales', typed, answer]
    assert not engine.awaits_input(contact_id)


async def test_chat_input_times_out_into_its_branch() -> None:
    async def no_time(seconds: float) -> None:  # a fake clock: every timeout passes at once
        await asyncio.sleep(0)

    engine, _ = engine_with(*menu(), sleep=no_time)
    contact_id = await chat(engine)
    assert said(engine, contact_id) == ['Type 1 for sales', 'Too slow']


async def test_a_caller_answers_with_the_keypad() -> None:
    ask = action('account', 'GetParticipantInput',
                 {'Text': 'Key your account number, then hash', 'StoreInput': 'True', 'InputTimeLimitSeconds': '30',
                  'InputValidation': {'CustomValidation': {'MaximumLength': '8'}}},
                 next_action='echo', errors={'NoMatchingError': 'bye'})
    engine, _ = engine_with(ask, message('echo', 'Account $.StoredCustomerInput', next_action='end'), END,
                            DISCONNECT)
    call = await engine.start_call(name='Vic', attributes={})
    await settle()
    assert engine.awaits_input(call.contact_id)
    for key in '1234#':
        await engine.customer_keypress(call.contact_id, key)
    await settle()
    assert said(engine, call.contact_id)[-1] == 'Account 1234'


async def test_a_menu_takes_hash_as_a_choice() -> None:
    ask = action('menu', 'GetParticipantInput', {'Text': 'Press # to hear this again', 'StoreInput': 'False',
                                                 'InputTimeLimitSeconds': '30'},
                 next_action='end', conditions=[('Equals', '#', 'again')], errors={'NoMatchingError': 'end',
                                                                                   'NoMatchingCondition': 'end'})
    engine, _ = engine_with(ask, message('again', 'Once more', next_action='end'), END)
    call = await engine.start_call(name='Vic', attributes={})
    await settle()
    await engine.customer_keypress(call.contact_id, '#')
    await settle()
    assert said(engine, call.contact_id) == ['Press # to hear this again', 'Once more']


async def test_the_keypad_is_for_calls_and_keys_only() -> None:
    engine, _ = engine_with(*menu())
    contact_id = await chat(engine)
    with pytest.raises(NotAllowed, match='for phone calls'):
        await engine.customer_keypress(contact_id, '1')
    call = await engine.start_call(name='Vic', attributes={})
    with pytest.raises(NotAllowed, match="'x' is not a keypad key"):
        await engine.customer_keypress(call.contact_id, 'x')


LOOKUP = 'arn:aws:lambda:eu-west-2:111122223333:function:CustomerLookup'


def lookup_flow() -> list[dict[str, Any]]:
    invoke = action('lookup', 'InvokeLambdaFunction',
                    {'LambdaFunctionARN': LOOKUP, 'InvocationTimeLimitSeconds': '1',
                     'LambdaInvocationAttributes': {'email': '$.CustomerEndpoint.Address'}},
                    next_action='tier', errors={'NoMatchingError': 'sorry'})
    return [invoke, message('tier', 'Your tier: $.External.tier', next_action='end'),
            message('sorry', 'Lookup failed', next_action='end'), END]


async def test_a_registered_python_function_answers_the_flows_lambda() -> None:
    extensions = FlowExtensions()
    seen: list[dict[str, Any]] = []

    @extensions.lambda_function('CustomerLookup')  # registered by name, called by ARN
    def customer_lookup(event: dict[str, Any]) -> dict[str, str]:
        seen.append(event['Details']['Parameters'])
        return {'tier': 'gold'}

    engine, _ = engine_with(*lookup_flow(), extensions=extensions)
    contact_id = await chat(engine)
    for _ in range(50):  # a sync function runs in a worker thread
        if len(said(engine, contact_id)) == 1:
            break
        await asyncio.sleep(0.02)
    assert said(engine, contact_id) == ['Your tier: gold']
    assert seen == [{'email': 'ann@example.com'}]


async def wait_for_words(engine: LocalContactCentre, contact_id: str, count: int) -> list[str]:
    for _ in range(150):
        if len(said(engine, contact_id)) >= count:
            break
        await asyncio.sleep(0.02)
    return said(engine, contact_id)


@pytest.mark.parametrize('problem', ['raises', 'overruns', 'unregistered'])
async def test_a_failing_slow_or_missing_function_takes_the_error_branch(problem: str) -> None:
    extensions = FlowExtensions()

    async def failing(event: dict[str, Any]) -> dict[str, str]:
        if problem == 'raises':
            raise RuntimeError('CRM down')
        await asyncio.sleep(30)  # longer than InvocationTimeLimitSeconds
        return {}

    if problem != 'unregistered':
        extensions.lambda_function(LOOKUP)(failing)
    engine, _ = engine_with(*lookup_flow(), extensions=extensions)
    contact_id = await chat(engine)
    assert await wait_for_words(engine, contact_id, 1) == ['Lookup failed']


def hours_flow() -> list[dict[str, Any]]:
    check = action('hours', 'CheckHoursOfOperation', {}, conditions=[('Equals', 'True', 'open'),
                                                                    ('Equals', 'False', 'closed')],
                   errors={'NoMatchingError': 'bye'})
    return [action('set-queue', 'UpdateContactTargetQueue', {'QueueId': QUEUE}, next_action='hours'), check,
            message('open', 'We are open', next_action='end'), message('closed', 'We are closed', next_action='end'),
            END, DISCONNECT]


HOURS = load_hours('''
[[HoursOfOperation]]
Name = "Office"
TimeZone = "Europe/Paris"
Queues = ["BasicQueue"]
Config = [ { Day = "MONDAY", StartTime = "09:00", EndTime = "17:00" } ]
''')


@pytest.mark.parametrize(('local_time', 'answer'), [(9, 'We are open'), (8, 'We are closed')])
async def test_check_hours_of_operation_reads_the_queues_hours_on_the_engines_clock(local_time: int,
                                                                                    answer: str) -> None:
    # Monday 30 March 2026, the day after Paris moved to summer time (UTC+2)
    now = dt.datetime(2026, 3, 30, local_time, 30, tzinfo=ZoneInfo('Europe/Paris')).timestamp()
    engine, _ = engine_with(*hours_flow(), hours=HOURS, clock=lambda: now)
    contact_id = await chat(engine)
    assert said(engine, contact_id) == [answer]


async def test_without_hours_of_operation_a_queue_is_always_open() -> None:
    engine, _ = engine_with(*hours_flow())
    assert said(engine, await chat(engine)) == ['We are open']


async def test_a_flow_module_beside_the_flows_runs_and_returns() -> None:
    module = [message('in-module', 'Hello from the module', next_action='done'),
              action('done', 'EndFlowModuleExecution')]
    engine, _ = engine_with(action('call', 'InvokeFlowModule', {'FlowModuleId': 'Greeting'}, next_action='after',
                                   errors={'NoMatchingError': 'bye'}),
                            message('after', 'Back in the flow', next_action='end'), END, DISCONNECT,
                            modules={'Greeting': module})
    assert said(engine, await chat(engine)) == ['Hello from the module', 'Back in the flow']


async def test_queue_time_adjustment_routes_a_contact_as_if_it_had_waited_longer() -> None:
    older_flow = [action('set-queue', 'UpdateContactTargetQueue', {'QueueId': QUEUE}, next_action='transfer'),
                  action('transfer', 'TransferContactToQueue')]
    engine, store = engine_with(
        action('vip', 'Compare', {'ComparisonValue': '$.Attributes.customerName'},
               conditions=[('Equals', 'Vip', 'age')], errors={'NoMatchingCondition': 'set-queue'}),
        action('age', 'UpdateContactRoutingBehavior', {'QueueTimeAdjustmentSeconds': '600'},
               next_action='set-queue'),
        *older_flow)
    add_agent(store, 'ann')
    await engine.start()
    first = await chat(engine, 'First')
    vip = await chat(engine, 'Vip')
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    offer = engine.offer_for('ann')
    assert offer is not None and offer[0].contact_id == vip != first
    await engine.stop()


async def test_recording_behaviour_and_voice_are_kept_on_the_stored_contact() -> None:
    engine, store = engine_with(
        action('rec', 'UpdateContactRecordingBehavior',
               {'RecordingBehavior': {'RecordedParticipants': ['Agent', 'Customer']}}, next_action='voice'),
        action('voice', 'UpdateContactTextToSpeechVoice', {'TextToSpeechVoice': 'Amy'}, next_action='set-queue'),
        *TO_QUEUE)
    contact_id = await chat(engine)
    stored = store.get_contact(contact_id)
    assert stored is not None and stored.state is ContactState.QUEUED
    assert stored.flow_settings['RecordingBehavior'] == {'RecordingBehavior': {'RecordedParticipants': ['Agent',
                                                                                                       'Customer']}}
    assert stored.flow_settings['TextToSpeechVoice'] == {'TextToSpeechVoice': 'Amy'}


async def test_the_voice_queue_flow_refreshes_the_position_after_each_interrupt() -> None:
    from tests.unit.engine_fixtures import FLOWS

    waits: list[float] = []

    async def first_interrupt_only(seconds: float) -> None:  # the first 20 s pass at once, the next never
        waits.append(seconds)
        if len(waits) > 1:
            await asyncio.Event().wait()

    engine = LocalContactCentre(SqliteStore(':memory:'), EventBus(), FLOWS, EngineConfig(
        inbound_flow='VideoCallEscalationChat', standard_queue='BasicQueue'), sleep=first_interrupt_only)
    call = await engine.start_call(name='Vic', attributes={'customerName': 'Vic'})
    await settle()
    prompts = said(engine, call.contact_id)
    assert [text.split('.')[0] for text in prompts[1:]] == ['You are number 1 in the queue'] * 2
    assert waits == [20, 20]
    await engine.stop()
