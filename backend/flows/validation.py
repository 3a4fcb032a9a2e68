"""Static checks for flow language JSON, so a broken flow is rejected at load time instead of mid-contact.

The rules follow the Amazon Connect flow language reference, narrowed to what the local engine runs.
Every problem is reported (not just the first) so one ``vce flows check`` run shows everything to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from backend.flows.model import (
    COMPARISON_OPERATORS,
    FLOW_VERSION,
    NO_MATCHING_ERROR,
    Action,
    Condition,
    ErrorTransition,
    Flow,
    freeze,
    is_json_path,
    looks_like_json_path,
)

MAX_ACTIONS = 250
MAX_IDENTIFIER_LENGTH = 50
FORBIDDEN_IDENTIFIER_CHARS = '%:(\\/)=$,;[]{}'
RESERVED_IDENTIFIERS = frozenset(
    {
        '__proto__',
        'constructor',
        '__defineGetter__',
        '__defineSetter__',
        'toString',
        'hasOwnProperty',
        'isPrototypeOf',
        'propertyIsEnumerable',
        'toLocaleString',
        'valueOf',
    }
)
NUMBER_OPERATORS = frozenset(op for op in COMPARISON_OPERATORS if op.startswith('Number'))
LOOP_RESULTS = ('ContinueLooping', 'DoneLooping')
WAIT_COMPLETED = 'WaitCompleted'
MAX_WAIT_SECONDS = 604800
MAX_LOOP_COUNT = 100

_WHOLE_NUMBER_RE = re.compile(r'[0-9]+')
_NUMBER_RE = re.compile(r'[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?')
_TRANSITION_KEYS = ('NextAction', 'Conditions', 'Errors')

Say = Callable[[str], None]


class InvalidFlowError(ValueError):
    """A flow (or flow file, or library) that must not run; ``problems`` holds one readable line per problem."""

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.name = name
        self.problems = tuple(problems)
        super().__init__('\n'.join(self.problems))


@dataclass(frozen=True)
class _Spec:
    """What one action type accepts.

    ``transitions`` picks the transition rules (see ``_check_transitions``); ``errors`` are the ErrorTypes Amazon
    Connect documents for the type, so a flow that handles anything else would not import there.
    """

    required: frozenset[str]
    optional: frozenset[str]
    check: Callable[[dict[str, Any], Say], None]
    transitions: str
    errors: frozenset[str]


# --- parameter values -------------------------------------------------------------------------------------------


def _json_type(value: object) -> str:
    if isinstance(value, dict):
        return 'an object'
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, int | float):
        return 'a number'
    return 'null'


def _check_value(say: Say, key: str, value: object, *, allow_empty: bool = False) -> None:
    """A string that is either static or exactly one well-formed JSONPath."""
    if not isinstance(value, str):
        say(f'parameter {key!r} must be a string, got {_json_type(value)}')
    elif looks_like_json_path(value) and not is_json_path(value):
        say(f'parameter {key!r} is a malformed JSONPath: {value!r}')
    elif not value and not allow_empty:
        say(f'parameter {key!r} must not be empty')


def _check_whole_number(say: Say, key: str, value: object, low: int, high: int) -> None:
    """A static whole number in ``low..high`` or a JSONPath (checked again at run time)."""
    if looks_like_json_path(value):
        _check_value(say, key, value)
    elif not isinstance(value, str) or not _WHOLE_NUMBER_RE.fullmatch(value) or not low <= int(value) <= high:
        say(f'parameter {key!r} must be a whole number from {low} to {high} or a JSONPath, got {value!r}')


def _exactly_one(say: Say, params: dict[str, Any], keys: Sequence[str]) -> list[str]:
    present = [key for key in keys if key in params]
    if len(present) != 1:
        say(f'needs exactly one of {" or ".join(keys)}, got {len(present)}')
    return present


# --- per-type parameter checks ----------------------------------------------------------------------------------


def _check_logging(params: dict[str, Any], say: Say) -> None:
    value = params.get('FlowLoggingBehavior')
    if 'FlowLoggingBehavior' in params and value not in ('Enabled', 'Disabled'):
        say(f"parameter 'FlowLoggingBehavior' must be 'Enabled' or 'Disabled', got {value!r}")


def _check_message(params: dict[str, Any], say: Say) -> None:
    present = _exactly_one(say, params, ('Text', 'PromptId', 'SSML'))
    if 'PromptId' in present or 'SSML' in present:
        say('only Text is supported for chat (PromptId and SSML are voice prompts)')
    text = params.get('Text')
    if 'Text' in params and (not isinstance(text, str) or not text.strip()):
        say("parameter 'Text' must be a non-empty string")


def _check_attributes(params: dict[str, Any], say: Say) -> None:
    attributes = params.get('Attributes')
    if 'Attributes' in params:
        if not isinstance(attributes, dict) or not attributes:
            say("parameter 'Attributes' must be a non-empty object")
        else:
            for key, value in attributes.items():
                if not key.strip():
                    say('attribute names must not be empty')
                _check_value(say, f'Attributes.{key}', value, allow_empty=True)
    target = params.get('TargetContact')
    if 'TargetContact' in params and target != 'Current':
        say(f"parameter 'TargetContact' must be 'Current' (no related contacts locally), got {target!r}")


def _check_compare(params: dict[str, Any], say: Say) -> None:
    value = params.get('ComparisonValue')
    if 'ComparisonValue' not in params:
        return
    if looks_like_json_path(value):
        _check_value(say, 'ComparisonValue', value)
    else:
        say(f"parameter 'ComparisonValue' must be a JSONPath such as $.Attributes.name, got {value!r}")


def _check_routing(params: dict[str, Any], say: Say) -> None:
    _exactly_one(say, params, ('QueuePriority', 'QueueTimeAdjustmentSeconds'))
    if 'QueueTimeAdjustmentSeconds' in params:
        say("parameter 'QueueTimeAdjustmentSeconds' is not supported by the local engine (use QueuePriority)")
    priority = params.get('QueuePriority')
    if 'QueuePriority' in params:
        if not isinstance(priority, str) or not _WHOLE_NUMBER_RE.fullmatch(priority) or int(priority) < 1:
            say(f"parameter 'QueuePriority' must be a static whole number >= 1, got {priority!r}")


def _check_event_hooks(params: dict[str, Any], say: Say) -> None:
    hooks = params.get('EventHooks')
    if 'EventHooks' not in params:
        return
    if not isinstance(hooks, dict) or len(hooks) != 1:
        say("parameter 'EventHooks' must be an object with exactly one hook")
        return
    for key, value in hooks.items():
        if key == 'CustomerQueue':
            _check_value(say, 'EventHooks.CustomerQueue', value)
        else:
            say(f'event hook {key!r} is not supported by the local engine (only CustomerQueue)')


def _check_queue_or_agent(params: dict[str, Any], say: Say, *, required: bool) -> None:
    present = [key for key in ('QueueId', 'AgentId') if key in params]
    if len(present) == 2:
        say('QueueId and AgentId cannot be used together')
    elif required and not present:
        say('needs exactly one of QueueId or AgentId')
    for key in present:
        _check_value(say, key, params[key])


def _check_target_queue(params: dict[str, Any], say: Say) -> None:
    _check_queue_or_agent(params, say, required=True)


def _check_metrics(params: dict[str, Any], say: Say) -> None:
    _check_queue_or_agent(params, say, required=False)
    channel = params.get('QueueChannel')
    if 'QueueChannel' in params and not looks_like_json_path(channel) and channel not in ('Voice', 'Chat'):
        say(f"parameter 'QueueChannel' must be 'Voice', 'Chat' or a JSONPath, got {channel!r}")
    elif looks_like_json_path(channel):
        _check_value(say, 'QueueChannel', channel)


def _check_loop(params: dict[str, Any], say: Say) -> None:
    if 'LoopCount' in params:
        _check_whole_number(say, 'LoopCount', params['LoopCount'], 0, MAX_LOOP_COUNT)


def _check_wait(params: dict[str, Any], say: Say) -> None:
    if 'TimeoutSeconds' in params:
        _check_whole_number(say, 'TimeoutSeconds', params['TimeoutSeconds'], 1, MAX_WAIT_SECONDS)


def _no_check(params: dict[str, Any], say: Say) -> None:
    """Types whose allowed keys say everything."""


def _spec(
    required: Iterable[str],
    optional: Iterable[str],
    check: Callable[..., None],
    transitions: str,
    errors: Iterable[str] = (NO_MATCHING_ERROR,),
) -> _Spec:
    return _Spec(frozenset(required), frozenset(optional), check, transitions, frozenset(errors))


SPECS: dict[str, _Spec] = {
    'UpdateFlowLoggingBehavior': _spec(['FlowLoggingBehavior'], [], _check_logging, 'next', errors=[]),
    'MessageParticipant': _spec([], ['Text', 'PromptId', 'SSML'], _check_message, 'next'),
    'UpdateContactAttributes': _spec(['Attributes'], ['TargetContact'], _check_attributes, 'next'),
    'Compare': _spec(['ComparisonValue'], [], _check_compare, 'compare', errors=['NoMatchingCondition']),
    'UpdateContactRoutingBehavior': _spec(
        [], ['QueuePriority', 'QueueTimeAdjustmentSeconds'], _check_routing, 'next', errors=[]
    ),
    'UpdateContactEventHooks': _spec(['EventHooks'], [], _check_event_hooks, 'next'),
    'UpdateContactTargetQueue': _spec([], ['QueueId', 'AgentId'], _check_target_queue, 'next'),
    'TransferContactToQueue': _spec([], [], _no_check, 'transfer', errors=['QueueAtCapacity', NO_MATCHING_ERROR]),
    'GetMetricData': _spec([], ['QueueId', 'AgentId', 'QueueChannel'], _check_metrics, 'next'),
    'Loop': _spec(['LoopCount'], [], _check_loop, 'loop', errors=[]),
    'Wait': _spec(['TimeoutSeconds'], [], _check_wait, 'wait', errors=[NO_MATCHING_ERROR, 'ParticipantNotFound']),
    'DisconnectParticipant': _spec([], [], _no_check, 'terminal', errors=[]),
    'EndFlowExecution': _spec([], [], _no_check, 'terminal', errors=[]),
}
SUPPORTED_ACTION_TYPES = tuple(sorted(SPECS))


def _check_parameters(spec: _Spec, params: dict[str, Any], say: Say) -> None:
    for key in sorted(spec.required - params.keys()):
        say(f'missing required parameter {key!r}')
    allowed = spec.required | spec.optional
    for key in sorted(params.keys() - allowed):
        expected = f'allowed: {", ".join(sorted(allowed))}' if allowed else 'this type takes no parameters'
        say(f'unknown parameter {key!r} ({expected})')
    spec.check(params, say)


# --- transitions ------------------------------------------------------------------------------------------------


def _check_target(say: Say, target: object, ids: set[str]) -> bool:
    if not isinstance(target, str) or not target:
        say(f'NextAction must be a non-empty string, got {target!r}')
        return False
    if target not in ids:
        say(f'transition to unknown action {target!r}')
        return False
    return True


def _check_conditions(raw: object, action_type: str, ids: set[str], say: Say) -> list[tuple[str, str]]:
    """Check ``Transitions.Conditions``; return the well-formed ``(operator, operand)`` pairs for type rules."""
    if not isinstance(raw, list):
        say('Transitions.Conditions must be a list')
        return []
    found: list[tuple[str, str]] = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get('Condition'), dict):
            say('each condition must be an object with NextAction and Condition')
            continue
        _check_target(say, entry.get('NextAction'), ids)
        operator = entry['Condition'].get('Operator')
        operands = entry['Condition'].get('Operands')
        if operator not in COMPARISON_OPERATORS:
            say(f'unknown operator {operator!r} (supported: {", ".join(COMPARISON_OPERATORS)})')
            continue
        if not isinstance(operands, list) or len(operands) != 1 or not isinstance(operands[0], str):
            say(f'condition {operator} needs Operands with exactly one string')
            continue
        operand = operands[0]
        if looks_like_json_path(operand):
            _check_value(say, 'Operands', operand)
        elif action_type == 'Compare' and operator in NUMBER_OPERATORS and not _NUMBER_RE.fullmatch(operand.strip()):
            say(f'condition {operator} needs a number, got {operand!r}')
        found.append((operator, operand))
    return found


def _check_errors(raw: object, spec: _Spec | None, action_type: str, ids: set[str], say: Say) -> int:
    """Check ``Transitions.Errors``; return how many entries there are."""
    if not isinstance(raw, list):
        say('Transitions.Errors must be a list')
        return 0
    seen: set[str] = set()
    for entry in raw:
        error_type = entry.get('ErrorType') if isinstance(entry, dict) else None
        if not isinstance(error_type, str) or not error_type:
            say('each error must be an object with a non-empty ErrorType and a NextAction')
            continue
        if error_type in seen:
            say(f'duplicate error type {error_type!r}')
        seen.add(error_type)
        if spec is not None and error_type not in spec.errors:
            possible = f'possible: {", ".join(sorted(spec.errors))}' if spec.errors else 'it raises no errors'
            say(f'{action_type} never raises error type {error_type!r} ({possible})')
        _check_target(say, entry.get('NextAction'), ids)
    return len(raw)


def _check_kind_rules(
    kind: str, action_type: str, has_next: bool, raw_conditions: object, conditions: list[tuple[str, str]], say: Say
) -> None:
    """Type-specific Conditions rules; ``conditions`` holds only the well-formed ones."""
    if kind == 'compare':
        if not raw_conditions:
            say('Compare needs at least one condition')
        if has_next:
            say('Compare takes no NextAction: a value matching no condition follows the NoMatchingCondition error')
    elif kind == 'loop':
        if sorted(conditions) != sorted(('Equals', result) for result in LOOP_RESULTS):
            say('Loop needs exactly two conditions: Equals ContinueLooping and Equals DoneLooping')
        if has_next:
            say('Loop takes no NextAction (use the ContinueLooping and DoneLooping conditions)')
    elif kind == 'wait':
        if any(condition != ('Equals', WAIT_COMPLETED) for condition in conditions):
            say('Wait conditions support only Equals WaitCompleted (events are not supported by the local engine)')
    elif conditions:
        say(f'{action_type} does not support Conditions')


def _check_transitions(
    spec: _Spec | None, action_type: str, transitions: dict[str, Any], ids: set[str], say: Say
) -> None:
    kind = spec.transitions if spec else None
    for key in sorted(transitions.keys() - set(_TRANSITION_KEYS)):
        say(f'unknown Transitions key {key!r}')
    if kind == 'terminal':
        if transitions:
            say('a terminal action must have empty Transitions ({})')
        return
    has_next = 'NextAction' in transitions
    if has_next:
        _check_target(say, transitions['NextAction'], ids)
    raw_conditions = transitions.get('Conditions', [])
    conditions = _check_conditions(raw_conditions, action_type, ids, say)
    error_count = _check_errors(transitions.get('Errors', []), spec, action_type, ids, say)
    if kind is None:
        return
    _check_kind_rules(kind, action_type, has_next, raw_conditions, conditions, say)
    no_conditions = not (isinstance(raw_conditions, list) and raw_conditions)
    if kind != 'transfer' and not has_next and no_conditions and not error_count:
        say('no way on: a non-terminal action needs a NextAction, Conditions or Errors')


# --- actions and the whole flow ---------------------------------------------------------------------------------


class _Report:
    """Collects problems, each prefixed with the flow name and (when known) the action."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []

    def flow(self, message: str) -> None:
        self.problems.append(f'{self.name}: {message}')

    def for_action(self, index: int, identifier: object, action_type: str) -> Say:
        label = f'action {identifier!r}' if isinstance(identifier, str) and identifier else f'Actions[{index}]'
        prefix = f'{self.name}: {label} ({action_type}): '
        return lambda message: self.problems.append(prefix + message)


def _check_identifier(identifier: object, say: Say) -> None:
    if not isinstance(identifier, str) or not identifier:
        say(f'Identifier must be a non-empty string, got {identifier!r}')
        return
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        say(f'Identifier is {len(identifier)} characters long (at most {MAX_IDENTIFIER_LENGTH})')
    bad = sorted({char for char in identifier if char in FORBIDDEN_IDENTIFIER_CHARS})
    if bad:
        say(f'Identifier contains forbidden characters: {" ".join(bad)}')
    if identifier in RESERVED_IDENTIFIERS:
        say(f'Identifier {identifier!r} is reserved')


def _check_action(index: int, raw: object, ids: set[str], seen: dict[str, int], report: _Report) -> None:
    if not isinstance(raw, dict):
        report.flow(f'Actions[{index}] must be an object, got {_json_type(raw)}')
        return
    action_type = raw.get('Type')
    type_label = action_type if isinstance(action_type, str) and action_type else '?'
    identifier = raw.get('Identifier')
    say = report.for_action(index, identifier, type_label)
    _check_identifier(identifier, say)
    if isinstance(identifier, str) and identifier:
        if identifier in seen:
            say(f'duplicate Identifier (also used by Actions[{seen[identifier]}])')
        seen.setdefault(identifier, index)
    spec = SPECS.get(action_type) if isinstance(action_type, str) else None
    if spec is None:
        say(f'unknown action type {action_type!r} (supported: {", ".join(SUPPORTED_ACTION_TYPES)})')
    params = raw.get('Parameters')
    if not isinstance(params, dict):
        say(f'Parameters must be an object, got {_json_type(params)}')
    elif spec is not None:
        _check_parameters(spec, params, say)
    transitions = raw.get('Transitions')
    if not isinstance(transitions, dict):
        say(f'Transitions must be an object, got {_json_type(transitions)}')
    else:
        _check_transitions(spec, type_label, transitions, ids, say)


def _raw_targets(raw: dict[str, Any]) -> list[str]:
    """Transition targets of a possibly malformed action, skipping whatever is not well-formed."""
    transitions = raw.get('Transitions')
    if not isinstance(transitions, dict):
        return []
    targets = [transitions.get('NextAction')]
    for key in ('Conditions', 'Errors'):
        entries = transitions.get(key)
        if isinstance(entries, list):
            targets += [entry.get('NextAction') for entry in entries if isinstance(entry, dict)]
    return [target for target in targets if isinstance(target, str)]


def _check_reachability(start: str, actions: list[Any], report: _Report) -> None:
    graph: dict[str, list[str]] = {}
    types: dict[str, str] = {}
    for raw in actions:
        if isinstance(raw, dict) and isinstance(raw.get('Identifier'), str) and raw['Identifier'] not in graph:
            graph[raw['Identifier']] = _raw_targets(raw)
            action_type = raw.get('Type')
            types[raw['Identifier']] = action_type if isinstance(action_type, str) else '?'
    reached = {start}
    pending = [start]
    while pending:
        for target in graph.get(pending.pop(), []):
            if target in graph and target not in reached:
                reached.add(target)
                pending.append(target)
    for identifier in graph:
        if identifier not in reached:
            report.problems.append(
                f'{report.name}: action {identifier!r} ({types[identifier]}): unreachable from StartAction'
            )


def check_flow(data: object, *, name: str) -> list[str]:
    """Every problem with a parsed flow JSON document; an empty list means it is valid for the local engine."""
    report = _Report(name)
    if not isinstance(data, dict):
        report.flow(f'a flow must be a JSON object, got {_json_type(data)}')
        return report.problems
    if data.get('Version') != FLOW_VERSION:
        report.flow(f'Version must be {FLOW_VERSION!r}, got {data.get("Version")!r}')
    actions = data.get('Actions')
    if not isinstance(actions, list) or not actions:
        report.flow('Actions must be a non-empty list')
        actions = []
    elif len(actions) > MAX_ACTIONS:
        report.flow(f'too many actions: {len(actions)} (at most {MAX_ACTIONS})')
    ids = {raw['Identifier'] for raw in actions if isinstance(raw, dict) and isinstance(raw.get('Identifier'), str)}
    start = data.get('StartAction')
    if start is None:
        report.flow('StartAction is missing')
    elif not isinstance(start, str) or (actions and start not in ids):
        report.flow(f'StartAction {start!r} is not the Identifier of any action')
    seen: dict[str, int] = {}
    for index, raw in enumerate(actions):
        _check_action(index, raw, ids, seen, report)
    if isinstance(start, str) and start in ids:
        _check_reachability(start, actions, report)
    return report.problems


def _build_action(raw: dict[str, Any]) -> Action:
    transitions = raw['Transitions']
    conditions = tuple(
        Condition(entry['Condition']['Operator'], entry['Condition']['Operands'][0], entry['NextAction'])
        for entry in transitions.get('Conditions', [])
    )
    errors = tuple(ErrorTransition(entry['ErrorType'], entry['NextAction']) for entry in transitions.get('Errors', []))
    return Action(
        identifier=raw['Identifier'],
        type=raw['Type'],
        parameters=freeze(raw['Parameters']),
        next_action=transitions.get('NextAction'),
        conditions=conditions,
        errors=errors,
    )


def parse_flow(data: object, *, name: str) -> Flow:
    """Validate and build a :class:`Flow`; raises :class:`InvalidFlowError` listing every problem."""
    problems = check_flow(data, name=name)
    if problems:
        raise InvalidFlowError(name, problems)
    assert isinstance(data, dict)  # check_flow guarantees it; narrows the type
    actions = {raw['Identifier']: _build_action(raw) for raw in data['Actions']}
    return Flow(name=name, start_action=data['StartAction'], actions=MappingProxyType(actions))
