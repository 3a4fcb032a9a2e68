"""The interpreter's flow language semantics, one action type at a time, against a recording fake host."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from backend.flows.interpreter import HANDLERS, MAX_ACTIONS_WITHOUT_WAIT, FlowOutcome, interpolate, resolve, run_flow
from backend.flows.validation import SUPPORTED_ACTION_TYPES
from tests.unit.flows.fake_host import DISCONNECT, END, FakeHost, action, build_flow, message, queue_metrics


def test_every_supported_type_has_a_handler() -> None:
    assert set(HANDLERS) == set(SUPPORTED_ACTION_TYPES)


# --- values -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('value', 'expected'),
    [
        ('$.Attributes.name', 'Ann'),
        ('$.Attributes.missing', ''),
        ('$.Nope.deeper.still', ''),
        ('$.Metrics.Contact.PositionInQueue', '3'),
        ('$.Flags.vip', 'true'),
        ('static text', 'static text'),
        ('$.Attributes.name and more', '$.Attributes.name and more'),
    ],
)
def test_resolve_json_path(value: str, expected: str) -> None:
    data = {'Attributes': {'name': 'Ann'}, 'Metrics': queue_metrics(3), 'Flags': {'vip': True}}
    assert resolve(value, data) == expected


@pytest.mark.parametrize(
    ('text', 'expected'),
    [
        ('Hi $.Attributes.customerName!', 'Hi Ann!'),
        ('Your reference is $.Attributes.ref.', 'Your reference is R-1.'),
        ('$.Attributes.customerName, $.Attributes.ref; done', 'Ann, R-1; done'),
        ("$.Attributes.customerName's chat", "Ann's chat"),
        ('(ref $.Attributes.ref)', '(ref R-1)'),
        ('Hi $.Attributes.unknown!', 'Hi !'),
        ('It costs $5. or $.', 'It costs $5. or $.'),
        ('You are number $.Metrics.Contact.PositionInQueue in the queue.', 'You are number 2 in the queue.'),
    ],
)
def test_interpolate_message_text(text: str, expected: str) -> None:
    data = {'Attributes': {'customerName': 'Ann', 'ref': 'R-1'}, 'Metrics': queue_metrics(2)}
    assert interpolate(text, data) == expected


# --- simple actions ---------------------------------------------------------------------------------------------


async def test_message_participant_sends_interpolated_text() -> None:
    host = FakeHost({'customerName': 'Ann'})
    flow = build_flow(message('greet', 'Hi $.Attributes.customerName!'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['Hi Ann!']


@pytest.mark.parametrize(('behaviour', 'enabled'), [('Enabled', True), ('Disabled', False)])
async def test_update_flow_logging_behavior(behaviour: str, enabled: bool) -> None:
    host = FakeHost()
    flow = build_flow(
        action('log', 'UpdateFlowLoggingBehavior', {'FlowLoggingBehavior': behaviour}, next_action='end'), END
    )
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('set_logging') == [enabled]


async def test_update_contact_attributes_resolves_static_and_dynamic_values() -> None:
    host = FakeHost({'source': 'web'})
    attributes = {'static': 'false', 'copied': '$.Attributes.source', 'missing': '$.Attributes.nothing'}
    flow = build_flow(action('set', 'UpdateContactAttributes', {'Attributes': attributes}, next_action='end'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('set_attributes') == [{'static': 'false', 'copied': 'web', 'missing': ''}]


async def test_update_contact_routing_behavior_sets_integer_priority() -> None:
    host = FakeHost()
    flow = build_flow(action('prio', 'UpdateContactRoutingBehavior', {'QueuePriority': '3'}, next_action='end'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('set_priority') == [3]


async def test_update_contact_event_hooks_sets_customer_queue_flow() -> None:
    arn = 'arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/contact-flow/Queue'
    host = FakeHost()
    flow = build_flow(
        action('hook', 'UpdateContactEventHooks', {'EventHooks': {'CustomerQueue': arn}}, next_action='end'), END
    )
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('set_customer_queue_flow') == [arn]


async def test_update_contact_event_hooks_error_branch() -> None:
    host = FakeHost().fail('set_customer_queue_flow', 'NoMatchingError')
    hook = action('hook', 'UpdateContactEventHooks', {'EventHooks': {'CustomerQueue': 'Nope'}}, next_action='end')
    hook['Transitions']['Errors'] = [{'NextAction': 'sorry', 'ErrorType': 'NoMatchingError'}]
    flow = build_flow(hook, message('sorry', 'sorry'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['sorry']


@pytest.mark.parametrize(
    ('parameters', 'expected'),
    [
        (
            {'QueueId': 'arn:aws:connect:R:A:instance/I/queue/BasicQueue'},
            {'queue_id': 'arn:aws:connect:R:A:instance/I/queue/BasicQueue', 'agent_id': None},
        ),
        ({'AgentId': '$.Attributes.agent'}, {'queue_id': None, 'agent_id': 'ann'}),
        ({'QueueId': '$.Attributes.queue'}, {'queue_id': 'Sales', 'agent_id': None}),
    ],
)
async def test_update_contact_target_queue(parameters: dict[str, str], expected: dict[str, Any]) -> None:
    host = FakeHost({'agent': 'ann', 'queue': 'Sales'})
    flow = build_flow(action('target', 'UpdateContactTargetQueue', parameters, next_action='end'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('set_target_queue') == [expected]


async def test_update_contact_target_queue_empty_dynamic_value_is_no_matching_error() -> None:
    host = FakeHost()
    target = action(
        'target',
        'UpdateContactTargetQueue',
        {'AgentId': '$.Attributes.agent'},
        next_action='end',
        errors={'NoMatchingError': 'sorry'},
    )
    flow = build_flow(target, message('sorry', 'no such agent'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('set_target_queue') == []
    assert host.messages == ['no such agent']


async def test_transfer_contact_to_queue_ends_the_flow_as_queued() -> None:
    host = FakeHost()
    flow = build_flow(action('transfer', 'TransferContactToQueue', errors={'NoMatchingError': 'end'}), END)
    assert await run_flow(flow, host) is FlowOutcome.QUEUED
    assert host.method_names == ['transfer_to_queue']


async def test_transfer_contact_to_queue_specific_error_branch() -> None:
    host = FakeHost().fail('transfer_to_queue', 'QueueAtCapacity')
    transfer = action(
        'transfer', 'TransferContactToQueue', errors={'QueueAtCapacity': 'full', 'NoMatchingError': 'end'}
    )
    flow = build_flow(transfer, message('full', 'queue full', next_action='bye'), DISCONNECT, END)
    assert await run_flow(flow, host) is FlowOutcome.DISCONNECTED
    assert host.messages == ['queue full']


@pytest.mark.parametrize(
    ('parameters', 'expected'),
    [
        ({}, {'queue_id': None, 'agent_id': None}),
        ({'QueueId': 'BasicQueue', 'QueueChannel': 'Chat'}, {'queue_id': 'BasicQueue', 'agent_id': None}),
        ({'AgentId': '$.Attributes.agent'}, {'queue_id': None, 'agent_id': 'ann'}),
    ],
)
async def test_get_metric_data_loads_metrics(parameters: dict[str, str], expected: dict[str, Any]) -> None:
    host = FakeHost({'agent': 'ann'}, metrics=[queue_metrics(4)])
    flow = build_flow(
        action('metrics', 'GetMetricData', parameters, next_action='say'),
        message('say', 'position $.Metrics.Contact.PositionInQueue'),
        END,
    )
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('load_metrics') == [expected]
    assert host.messages == ['position 4']


async def test_get_metric_data_error_branch() -> None:
    host = FakeHost().fail('load_metrics', 'NoMatchingError')
    metrics = action('metrics', 'GetMetricData', next_action='end', errors={'NoMatchingError': 'say'})
    flow = build_flow(metrics, message('say', 'no metrics'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['no metrics']


async def test_disconnect_participant() -> None:
    host = FakeHost()
    assert await run_flow(build_flow(DISCONNECT), host) is FlowOutcome.DISCONNECTED
    assert host.method_names == ['disconnect']


async def test_end_flow_execution() -> None:
    host = FakeHost()
    assert await run_flow(build_flow(END), host) is FlowOutcome.ENDED
    assert host.calls == []


# --- Compare ----------------------------------------------------------------------------------------------------


def _compare_flow(operator: str, operand: str) -> Any:
    return build_flow(
        action(
            'compare',
            'Compare',
            {'ComparisonValue': '$.Attributes.value'},
            conditions=[(operator, operand, 'yes')],
            errors={'NoMatchingCondition': 'no'},
        ),
        message('yes', 'yes'),
        message('no', 'no'),
        END,
    )


@pytest.mark.parametrize(
    ('operator', 'value', 'operand', 'matches'),
    [
        ('Equals', 'error', 'error', True),
        ('Equals', 'Error', 'error', False),
        ('Equals', '', '', True),
        ('NumberGreaterThan', '10', '9', True),
        ('NumberGreaterThan', '9', '9', False),
        ('NumberGreaterThan', 'abc', '1', False),
        ('NumberGreaterOrEqualTo', '12345678', '0', True),
        ('NumberGreaterOrEqualTo', '5', '5.0', True),
        ('NumberGreaterOrEqualTo', '', '0', False),
        ('NumberGreaterOrEqualTo', '1_000', '0', False),
        ('NumberGreaterOrEqualTo', 'nan', '0', False),
        ('NumberLessThan', '-1', '0', True),
        ('NumberLessThan', '2.5', '2.4', False),
        ('NumberLessOrEqualTo', '3', '3', True),
        ('NumberLessOrEqualTo', 'x', '3', False),
        ('TextContains', 'hello world', 'lo w', True),
        ('TextContains', 'hello', 'world', False),
        ('TextStartsWith', 'VIP-123', 'VIP-', True),
        ('TextStartsWith', 'x-VIP', 'VIP', False),
        ('TextEndsWith', 'ref.example', '.example', True),
        ('TextEndsWith', 'ref.example.com', '.example', False),
    ],
)
async def test_compare_operators(operator: str, value: str, operand: str, matches: bool) -> None:
    host = FakeHost({'value': value})
    assert await run_flow(_compare_flow(operator, operand), host) is FlowOutcome.ENDED
    assert host.messages == ['yes' if matches else 'no']


async def test_compare_missing_value_compares_as_empty_string() -> None:
    host = FakeHost()
    await run_flow(_compare_flow('Equals', ''), host)
    assert host.messages == ['yes']


async def test_compare_first_matching_condition_wins() -> None:
    host = FakeHost({'value': '50'})
    compare = action(
        'compare',
        'Compare',
        {'ComparisonValue': '$.Attributes.value'},
        conditions=[('NumberLessThan', '10', 'small'), ('NumberGreaterThan', '0', 'first'), ('Equals', '50', 'second')],
        errors={'NoMatchingCondition': 'end'},
    )
    flow = build_flow(compare, message('small', 'small'), message('first', 'first'), message('second', 'second'), END)
    await run_flow(flow, host)
    assert host.messages == ['first']


async def test_compare_without_matching_condition_or_handler_fails(caplog: pytest.LogCaptureFixture) -> None:
    host = FakeHost({'value': 'other'})
    compare = action(
        'compare', 'Compare', {'ComparisonValue': '$.Attributes.value'}, conditions=[('Equals', 'x', 'end')]
    )
    with caplog.at_level(logging.ERROR):
        assert await run_flow(build_flow(compare, END), host) is FlowOutcome.FAILED
    assert 'NoMatchingCondition' in caplog.text


# --- Loop -------------------------------------------------------------------------------------------------------


def _loop_flow(count: str) -> Any:
    return build_flow(
        message('say', 'again', next_action='loop'),
        action(
            'loop',
            'Loop',
            {'LoopCount': count},
            conditions=[('Equals', 'ContinueLooping', 'say'), ('Equals', 'DoneLooping', 'end')],
        ),
        END,
    )


@pytest.mark.parametrize(('count', 'messages'), [('0', 1), ('1', 2), ('3', 4)])
async def test_loop_continues_loop_count_times_then_is_done(count: str, messages: int) -> None:
    host = FakeHost()
    assert await run_flow(_loop_flow(count), host) is FlowOutcome.ENDED
    assert len(host.messages) == messages


async def test_loop_counter_resets_after_done_and_per_run() -> None:
    flow = build_flow(
        action(
            'outer',
            'Loop',
            {'LoopCount': '1'},
            conditions=[('Equals', 'ContinueLooping', 'say'), ('Equals', 'DoneLooping', 'end')],
        ),
        message('say', 'inner', next_action='inner'),
        action(
            'inner',
            'Loop',
            {'LoopCount': '2'},
            conditions=[('Equals', 'ContinueLooping', 'say'), ('Equals', 'DoneLooping', 'outer')],
        ),
        END,
        start='say',
    )
    first, second = FakeHost(), FakeHost()
    await run_flow(flow, first)
    await run_flow(flow, second)
    # the outer loop runs the inner loop twice, and the inner loop starts from zero each time
    assert len(first.messages) == len(second.messages) == 6


async def test_loop_count_from_attribute() -> None:
    host = FakeHost({'tries': '2'})
    assert await run_flow(_loop_flow('$.Attributes.tries'), host) is FlowOutcome.ENDED
    assert len(host.messages) == 3


# --- Wait -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(('timeout', 'seconds'), [('20', 20), ('$.Attributes.timeout', 7)])
async def test_wait_calls_host_wait_then_follows_wait_completed(timeout: str, seconds: int) -> None:
    host = FakeHost({'timeout': '7'})
    wait = action(
        'wait',
        'Wait',
        {'TimeoutSeconds': timeout},
        conditions=[('Equals', 'WaitCompleted', 'after')],
        errors={'NoMatchingError': 'end'},
    )
    flow = build_flow(wait, message('after', 'done waiting'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('wait') == [seconds]
    assert host.messages == ['done waiting']


async def test_wait_with_plain_next_action() -> None:
    host = FakeHost()
    flow = build_flow(action('wait', 'Wait', {'TimeoutSeconds': '5'}, next_action='end'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('wait') == [5]


async def test_wait_with_invalid_dynamic_timeout_takes_error_branch() -> None:
    host = FakeHost({'timeout': 'soon'})
    wait = action(
        'wait',
        'Wait',
        {'TimeoutSeconds': '$.Attributes.timeout'},
        conditions=[('Equals', 'WaitCompleted', 'end')],
        errors={'NoMatchingError': 'sorry'},
    )
    flow = build_flow(wait, message('sorry', 'bad timeout'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.called('wait') == []
    assert host.messages == ['bad timeout']


# --- errors and failures ----------------------------------------------------------------------------------------


async def test_error_falls_back_to_no_matching_error() -> None:
    host = FakeHost().fail('transfer_to_queue', 'QueueAtCapacity')
    transfer = action('transfer', 'TransferContactToQueue', errors={'NoMatchingError': 'sorry'})
    flow = build_flow(transfer, message('sorry', 'fallback'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['fallback']


async def test_unhandled_error_fails_the_flow(caplog: pytest.LogCaptureFixture) -> None:
    host = FakeHost().fail('transfer_to_queue', 'NoMatchingError')
    transfer = action('transfer', 'TransferContactToQueue', errors={'QueueAtCapacity': 'end'})
    with caplog.at_level(logging.ERROR):
        assert await run_flow(build_flow(transfer, END), host) is FlowOutcome.FAILED
    assert "action 'transfer'" in caplog.text
    assert 'NoMatchingError' in caplog.text


async def test_message_error_without_errors_transition_fails() -> None:
    host = FakeHost().fail('send_message', 'NoMatchingError')
    assert await run_flow(build_flow(message('say', 'hi'), END), host) is FlowOutcome.FAILED


async def test_success_without_next_action_fails(caplog: pytest.LogCaptureFixture) -> None:
    host = FakeHost()
    only_errors = message('say', 'hi', next_action=None, errors={'NoMatchingError': 'end'})
    with caplog.at_level(logging.ERROR):
        assert await run_flow(build_flow(only_errors, END), host) is FlowOutcome.FAILED
    assert 'no transition' in caplog.text
    assert host.messages == ['hi']


async def test_unexpected_host_exception_fails_the_flow(caplog: pytest.LogCaptureFixture) -> None:
    host = FakeHost().fail('send_message', RuntimeError('socket closed'))
    with caplog.at_level(logging.ERROR):
        assert await run_flow(build_flow(message('say', 'hi'), END), host) is FlowOutcome.FAILED
    assert 'socket closed' in caplog.text


# --- busy loop guard and cancellation ---------------------------------------------------------------------------


async def test_busy_loop_without_wait_fails(caplog: pytest.LogCaptureFixture) -> None:
    host = FakeHost()
    flow = build_flow(message('ping', 'ping', next_action='pong'), message('pong', 'pong', next_action='ping'))
    with caplog.at_level(logging.ERROR):
        assert await run_flow(flow, host) is FlowOutcome.FAILED
    assert len(host.messages) == MAX_ACTIONS_WITHOUT_WAIT
    assert 'without a Wait' in caplog.text


async def test_wait_resets_the_busy_loop_guard() -> None:
    host = FakeHost()
    flow = build_flow(
        message('say', 'tick', next_action='inner'),
        action(
            'inner',
            'Loop',
            {'LoopCount': '100'},
            conditions=[('Equals', 'ContinueLooping', 'say'), ('Equals', 'DoneLooping', 'wait')],
        ),
        action('wait', 'Wait', {'TimeoutSeconds': '1'}, next_action='outer'),
        action(
            'outer',
            'Loop',
            {'LoopCount': '5'},
            conditions=[('Equals', 'ContinueLooping', 'say'), ('Equals', 'DoneLooping', 'end')],
        ),
        END,
    )
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert len(host.messages) == 6 * 101
    # each message is followed by a Loop action: about 1200 actions in total, but never 1000 without a Wait
    assert 2 * len(host.messages) > MAX_ACTIONS_WITHOUT_WAIT


async def test_cancellation_while_waiting_propagates() -> None:
    never = asyncio.Event()

    async def block(seconds: float, count: int) -> None:
        await never.wait()

    host = FakeHost(wait_hook=block)
    flow = build_flow(
        message('say', 'hold on', next_action='wait'),
        action('wait', 'Wait', {'TimeoutSeconds': '20'}, next_action='say'),
    )
    task = asyncio.create_task(run_flow(flow, host))
    while not host.called('wait'):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert host.messages == ['hold on']


async def test_cancelled_error_from_host_is_not_turned_into_failed() -> None:
    host = FakeHost().fail('send_message', asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await run_flow(build_flow(message('say', 'hi'), END), host)
