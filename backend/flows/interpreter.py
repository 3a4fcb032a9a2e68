"""Runs a validated :class:`Flow` against a :class:`FlowHost`, one action at a time.

The interpreter owns the flow language semantics (JSONPath values, conditions, error fallbacks, loop counters);
everything that touches the contact goes through the host, so this module never knows about queues or agents.
A run is a plain coroutine: the engine cancels its task (e.g. when a queued contact is answered) and the
``CancelledError`` propagates untouched.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.flows.host import FlowActionError, FlowHost
from backend.flows.model import NO_MATCHING_ERROR, TEXT_PATH_RE, Action, Flow, is_json_path

logger = logging.getLogger(__name__)

MAX_ACTIONS_WITHOUT_WAIT = 1000
_WHOLE_NUMBER_RE = re.compile(r'[0-9]+')


class FlowOutcome(enum.Enum):
    """How a run ended; the engine decides what happens to the contact next."""

    QUEUED = 'queued'
    DISCONNECTED = 'disconnected'
    ENDED = 'ended'
    FAILED = 'failed'


# --- values -----------------------------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    """Flow data as the string a flow sees: missing is '', booleans are lower case like in JSON."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def lookup(data: Mapping[str, Any], path: str) -> str:
    """The value of a ``$.A.B`` path in flow data, or '' when any segment is missing."""
    node: Any = data
    for segment in path.removeprefix('$.').split('.'):
        if not isinstance(node, Mapping) or segment not in node:
            return ''
        node = node[segment]
    return _as_text(node)


def resolve(value: str, data: Mapping[str, Any]) -> str:
    """A parameter value: looked up if it is exactly one JSONPath, otherwise used as is."""
    return lookup(data, value) if is_json_path(value) else value


def interpolate(text: str, data: Mapping[str, Any]) -> str:
    """Replace every ``$.Dotted.Path`` inside message text with its value."""
    return TEXT_PATH_RE.sub(lambda match: lookup(data, match.group(0)), text)


def _number(text: str) -> float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and '_' not in text else None


def _compare_numbers(test: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def compare(value: str, operand: str) -> bool:
        left, right = _number(value), _number(operand)
        return left is not None and right is not None and test(left, right)

    return compare


OPERATORS: dict[str, Callable[[str, str], bool]] = {
    'Equals': lambda value, operand: value == operand,
    'NumberGreaterThan': _compare_numbers(lambda left, right: left > right),
    'NumberGreaterOrEqualTo': _compare_numbers(lambda left, right: left >= right),
    'NumberLessThan': _compare_numbers(lambda left, right: left < right),
    'NumberLessOrEqualTo': _compare_numbers(lambda left, right: left <= right),
    'TextContains': lambda value, operand: operand in value,
    'TextStartsWith': lambda value, operand: value.startswith(operand),
    'TextEndsWith': lambda value, operand: value.endswith(operand),
}


# --- one run ----------------------------------------------------------------------------------------------------

Step = str | FlowOutcome | None  # the next action, a final outcome, or "no transition to follow"


@dataclass
class _Run:
    """Per-run state: the host, loop counters and the busy-loop guard."""

    flow: Flow
    host: FlowHost
    loop_counts: dict[str, int] = field(default_factory=dict)
    steps_since_wait: int = 0

    def value(self, action: Action, key: str) -> str:
        return resolve(action.parameters[key], self.host.flow_data())

    def required_value(self, action: Action, key: str) -> str:
        """A value the host must match; a JSONPath that resolves to nothing is a NoMatchingError."""
        value = self.value(action, key)
        if not value:
            raise FlowActionError(NO_MATCHING_ERROR, f'{key} {action.parameters[key]!r} resolved to an empty value')
        return value

    def whole_number(self, action: Action, key: str, low: int, high: int) -> int:
        """Dynamic numbers are only known at run time; out of range is a NoMatchingError like in Connect."""
        value = self.value(action, key).strip()
        if not _WHOLE_NUMBER_RE.fullmatch(value) or not low <= int(value) <= high:
            raise FlowActionError(
                NO_MATCHING_ERROR, f'{key} must be a whole number from {low} to {high}, got {value!r}'
            )
        return int(value)


async def _update_logging(run: _Run, action: Action) -> Step:
    run.host.set_logging(action.parameters['FlowLoggingBehavior'] == 'Enabled')
    return action.next_action


async def _message(run: _Run, action: Action) -> Step:
    await run.host.send_message(interpolate(action.parameters['Text'], run.host.flow_data()))
    return action.next_action


async def _update_attributes(run: _Run, action: Action) -> Step:
    data = run.host.flow_data()
    run.host.set_attributes({key: resolve(value, data) for key, value in action.parameters['Attributes'].items()})
    return action.next_action


async def _compare(run: _Run, action: Action) -> Step:
    data = run.host.flow_data()
    value = resolve(action.parameters['ComparisonValue'], data)
    for condition in action.conditions:
        if OPERATORS[condition.operator](value, resolve(condition.operand, data)):
            return condition.next_action
    raise FlowActionError('NoMatchingCondition', f'{value!r} matched no condition')


async def _update_routing(run: _Run, action: Action) -> Step:
    run.host.set_priority(int(action.parameters['QueuePriority']))
    return action.next_action


async def _update_event_hooks(run: _Run, action: Action) -> Step:
    hooks = action.parameters['EventHooks']
    run.host.set_customer_queue_flow(resolve(hooks['CustomerQueue'], run.host.flow_data()))
    return action.next_action


async def _update_target_queue(run: _Run, action: Action) -> Step:
    if 'AgentId' in action.parameters:
        run.host.set_target_queue(agent_id=run.required_value(action, 'AgentId'))
    else:
        run.host.set_target_queue(queue_id=run.required_value(action, 'QueueId'))
    return action.next_action


async def _transfer(run: _Run, action: Action) -> Step:
    run.host.transfer_to_queue()
    return FlowOutcome.QUEUED


async def _get_metrics(run: _Run, action: Action) -> Step:
    queue_id = run.required_value(action, 'QueueId') if 'QueueId' in action.parameters else None
    agent_id = run.required_value(action, 'AgentId') if 'AgentId' in action.parameters else None
    run.host.load_metrics(queue_id=queue_id, agent_id=agent_id)
    return action.next_action


def _condition_target(action: Action, result: str) -> str | None:
    return next((c.next_action for c in action.conditions if c.operator == 'Equals' and c.operand == result), None)


async def _loop(run: _Run, action: Action) -> Step:
    count = run.whole_number(action, 'LoopCount', 0, 100)
    done = run.loop_counts.get(action.identifier, 0)
    if done < count:
        run.loop_counts[action.identifier] = done + 1
        return _condition_target(action, 'ContinueLooping')
    run.loop_counts[action.identifier] = 0
    return _condition_target(action, 'DoneLooping')


async def _wait(run: _Run, action: Action) -> Step:
    await run.host.wait(run.whole_number(action, 'TimeoutSeconds', 1, 604800))
    run.steps_since_wait = 0
    return _condition_target(action, 'WaitCompleted') or action.next_action


async def _disconnect(run: _Run, action: Action) -> Step:
    await run.host.disconnect()
    return FlowOutcome.DISCONNECTED


async def _end(run: _Run, action: Action) -> Step:
    return FlowOutcome.ENDED


HANDLERS: dict[str, Callable[[_Run, Action], Awaitable[Step]]] = {
    'UpdateFlowLoggingBehavior': _update_logging,
    'MessageParticipant': _message,
    'UpdateContactAttributes': _update_attributes,
    'Compare': _compare,
    'UpdateContactRoutingBehavior': _update_routing,
    'UpdateContactEventHooks': _update_event_hooks,
    'UpdateContactTargetQueue': _update_target_queue,
    'TransferContactToQueue': _transfer,
    'GetMetricData': _get_metrics,
    'Loop': _loop,
    'Wait': _wait,
    'DisconnectParticipant': _disconnect,
    'EndFlowExecution': _end,
}


async def _execute(run: _Run, action: Action) -> Step:
    """Run one action, turning a FlowActionError into its Errors transition (or FAILED)."""
    try:
        return await HANDLERS[action.type](run, action)
    except FlowActionError as error:
        target = action.error_target(error.error_type)
        if target is None:
            logger.error(
                'flow %s: action %r (%s) failed with unhandled %s', run.flow.name, action.identifier, action.type, error
            )
            return FlowOutcome.FAILED
        logger.debug('flow %s: action %r (%s): %s -> %r', run.flow.name, action.identifier, action.type, error, target)
        return target


async def run_flow(flow: Flow, host: FlowHost) -> FlowOutcome:
    """Run ``flow`` from its StartAction until it queues, disconnects, ends or fails.

    Unexpected exceptions from the host are logged and end the run as FAILED, so a bug cannot leave the engine
    waiting on a dead task; cancellation is not an ``Exception`` and so always propagates.
    """
    run = _Run(flow, host)
    identifier = flow.start_action
    while True:
        if run.steps_since_wait >= MAX_ACTIONS_WITHOUT_WAIT:
            logger.error(
                'flow %s: %d actions ran without a Wait; stopping at %r (busy loop?)',
                flow.name,
                run.steps_since_wait,
                identifier,
            )
            return FlowOutcome.FAILED
        run.steps_since_wait += 1
        try:
            action = flow.action(identifier)
            logger.debug('flow %s: action %r (%s)', flow.name, identifier, action.type)
            step = await _execute(run, action)
        except Exception:
            logger.exception('flow %s: action %r crashed', flow.name, identifier)
            return FlowOutcome.FAILED
        if isinstance(step, FlowOutcome):
            return step
        if step is None:
            logger.error('flow %s: action %r (%s) has no transition to follow', flow.name, identifier, action.type)
            return FlowOutcome.FAILED
        identifier = step
