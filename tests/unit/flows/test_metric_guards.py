"""A message quoting the contact's position in queue is reached only through a Compare that found a number."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend.flows.metric_guards import unguarded_metric_messages
from backend.settings import PROJECT_ROOT

POSITION = 'You are number $.Metrics.Contact.PositionInQueue in the queue.'


def flow(start: str, *actions: dict[str, Any]) -> dict[str, Any]:
    return {'Version': '2019-10-30', 'StartAction': start, 'Actions': list(actions)}


def message(identifier: str, text: str = POSITION) -> dict[str, Any]:
    return {'Identifier': identifier, 'Type': 'MessageParticipant', 'Parameters': {'Text': text},
            'Transitions': {}}


def compare(identifier: str, *, to: str, operator: str = 'NumberGreaterOrEqualTo', on_error: str = '') -> dict:
    errors = [{'NextAction': on_error, 'ErrorType': 'NoMatchingCondition'}] if on_error else []
    return {'Identifier': identifier, 'Type': 'Compare',
            'Parameters': {'ComparisonValue': '$.Metrics.Contact.PositionInQueue'},
            'Transitions': {'Errors': errors, 'Conditions': [
                {'NextAction': to, 'Condition': {'Operator': operator, 'Operands': ['1']}}]}}


@pytest.mark.parametrize('name', ['VideoCallEscalationQueue', 'VideoCallEscalationVoiceQueue'])
def test_the_shipped_queue_flows_are_guarded(name: str) -> None:
    shipped = json.loads((PROJECT_ROOT / 'contact_flows' / f'{name}.json').read_text())
    assert unguarded_metric_messages(shipped) == []


def test_looped_prompts_are_checked_too() -> None:
    metrics = {'Identifier': 'load', 'Type': 'GetMetricData', 'Parameters': {}, 'Transitions': {'NextAction': 'loop'}}
    loop = {'Identifier': 'loop', 'Type': 'MessageParticipantIteratively',
            'Parameters': {'Messages': [{'Text': 'Hello.'}, {'Text': POSITION}], 'InterruptFrequencySeconds': '20'},
            'Transitions': {}}
    assert unguarded_metric_messages(flow('load', metrics, loop)) == ['loop (from load)']


def test_a_number_condition_guards_and_its_error_branch_does_not() -> None:
    assert unguarded_metric_messages(flow('check', compare('check', to='tell'), message('tell'))) == []
    assert unguarded_metric_messages(flow('check', compare('check', to='other', on_error='tell'),
                                          message('tell'), message('other', 'hi'))) == ['tell (from check)']


def test_an_equals_condition_does_not_prove_a_number() -> None:
    assert unguarded_metric_messages(flow('check', compare('check', to='tell', operator='Equals'),
                                          message('tell'))) == ['tell (from check)']


def test_a_message_at_the_start_or_after_any_other_action_is_unguarded() -> None:
    metrics = {'Identifier': 'load', 'Type': 'GetMetricData', 'Parameters': {},
               'Transitions': {'NextAction': 'tell'}}
    assert unguarded_metric_messages(flow('load', metrics, message('tell'))) == ['tell (from load)']
    assert unguarded_metric_messages(flow('tell', message('tell'))) == ['tell (the start)']


def test_messages_without_the_metric_need_no_guard() -> None:
    assert unguarded_metric_messages(flow('hello', message('hello', 'Hello $.Attributes.customerName'))) == []
