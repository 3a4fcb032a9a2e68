"""Static checks for flow language JSON, so a broken flow is rejected at load time instead of mid-contact.

The rules follow the Amazon Connect flow language reference ("Actions in the Amazon Connect Flow Language" and each
action's page, see ``action_specs``). What is valid flow language but cannot run offline is refused with the reason,
unless a Python handler is registered for it (``handled_types``). Every problem is reported (not just the first) so
one ``vce flows check`` run shows everything to fix.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from types import MappingProxyType
from typing import Any

from backend.flows.action_specs import (
    HANDLER_ACTION_TYPES,
    NUMBER_OPERATORS,
    SPECS,
    SUPPORTED_ACTION_TYPES,
    ActionSpec,
)
from backend.flows.model import (
    COMPARISON_OPERATORS,
    FLOW_VERSION,
    Action,
    Condition,
    ErrorTransition,
    Flow,
    freeze,
    looks_like_json_path,
)
from backend.flows.parameter_checks import Say, check_value, json_type

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

_NUMBER_RE = re.compile(r'[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?')
_TRANSITION_KEYS = ('NextAction', 'Conditions', 'Errors')


class InvalidFlowError(ValueError):
    """A flow (or flow file, or library) that must not run; ``problems`` holds one readable line per problem."""

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.name = name
        self.problems = tuple(problems)
        super().__init__('\n'.join(self.problems))


def _check_parameters(spec: ActionSpec, params: dict[str, Any], say: Say) -> None:
    for key in sorted(spec.required - params.keys()):
        say(f'missing required parameter {key!r}')
    allowed = spec.required | spec.optional
    for key in sorted(params.keys() - allowed):
        expected = f'allowed: {", ".join(sorted(allowed))}' if allowed else 'this type takes no parameters'
        say(f'unknown parameter {key!r} ({expected})')
    if spec.check is not None:
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
            check_value(say, 'Operands', operand)
        elif action_type == 'Compare' and operator in NUMBER_OPERATORS and not _NUMBER_RE.fullmatch(operand.strip()):
            say(f'condition {operator} needs a number, got {operand!r}')
        found.append((operator, operand))
    return found


def _check_errors(raw: object, spec: ActionSpec | None, action_type: str, ids: set[str], say: Say) -> int:
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


def _check_transitions(spec: ActionSpec | None, action_type: str, params: dict[str, Any],
                       transitions: dict[str, Any], ids: set[str], say: Say) -> None:
    """The language's Transitions: NextAction, Errors and Conditions, each allowed on every non-terminal action;
    which Conditions make sense depends on the type's results."""
    for key in sorted(transitions.keys() - set(_TRANSITION_KEYS)):
        say(f'unknown Transitions key {key!r}')
    if spec is not None and spec.terminal:
        if transitions:
            say('a terminal action must have empty Transitions ({})')
        return
    has_next = 'NextAction' in transitions
    if has_next:
        _check_target(say, transitions['NextAction'], ids)
    raw_conditions = transitions.get('Conditions', [])
    conditions = _check_conditions(raw_conditions, action_type, ids, say)
    error_count = _check_errors(transitions.get('Errors', []), spec, action_type, ids, say)
    if spec is None:
        return
    condition_count = len(raw_conditions) if isinstance(raw_conditions, list) else 0
    if spec.conditions is not None:
        spec.conditions(params, conditions, condition_count, say)
    elif conditions:
        say(f'{action_type} does not support Conditions')
    if not spec.may_stop and not has_next and not condition_count and not error_count:
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


def _type_problem(action_type: object, spec: ActionSpec | None, handled: Collection[str]) -> str | None:
    """Why an action of this type cannot run here, or None when it can."""
    if spec is None:
        return (f'unknown action type {action_type!r}: not an Amazon Connect flow-language action the local engine '
                f'knows (supported: {", ".join(SUPPORTED_ACTION_TYPES)}; with a registered Python handler: '
                f'{", ".join(HANDLER_ACTION_TYPES)})')
    if spec.support == 'handler' and action_type not in handled:
        return (f'{action_type} cannot run offline: {spec.reason}; register a Python handler for it '
                '(contact_flows/README.md, "Python extension points") or run the flow in Amazon Connect')
    if spec.support == 'connect':
        return f'{action_type} runs only in Amazon Connect: {spec.reason}'
    return None


def _check_action(index: int, raw: object, ids: set[str], seen: dict[str, int], report: _Report,
                  handled: Collection[str]) -> None:
    if not isinstance(raw, dict):
        report.flow(f'Actions[{index}] must be an object, got {json_type(raw)}')
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
    problem = _type_problem(action_type, spec, handled)
    if problem:
        say(problem)
    if spec is not None and spec.support == 'connect':
        spec = None  # its parameters are Connect's business; the reason above says everything
    # Connect's own exports leave Parameters out of actions that take none (e.g. TransferContactToQueue)
    params = raw.get('Parameters', {})
    if not isinstance(params, dict):
        say(f'Parameters must be an object, got {json_type(params)}')
        params = {}
    elif spec is not None:
        _check_parameters(spec, params, say)
    transitions = raw.get('Transitions')
    if not isinstance(transitions, dict):
        say(f'Transitions must be an object, got {json_type(transitions)}')
    else:
        _check_transitions(spec, type_label, params, transitions, ids, say)


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


def check_flow(data: object, *, name: str, handled_types: Collection[str] = ()) -> list[str]:
    """Every problem with a parsed flow JSON document; an empty list means it is valid for the local engine.

    ``handled_types`` are the action types a registered Python handler runs (e.g. ConnectParticipantWithLexBot)."""
    report = _Report(name)
    if not isinstance(data, dict):
        report.flow(f'a flow must be a JSON object, got {json_type(data)}')
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
        _check_action(index, raw, ids, seen, report, handled_types)
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
        parameters=freeze(raw.get('Parameters', {})),
        next_action=transitions.get('NextAction'),
        conditions=conditions,
        errors=errors,
    )


def parse_flow(data: object, *, name: str, handled_types: Collection[str] = ()) -> Flow:
    """Validate and build a :class:`Flow`; raises :class:`InvalidFlowError` listing every problem."""
    problems = check_flow(data, name=name, handled_types=handled_types)
    if problems:
        raise InvalidFlowError(name, problems)
    assert isinstance(data, dict)  # check_flow guarantees it; narrows the type
    actions = {raw['Identifier']: _build_action(raw) for raw in data['Actions']}
    return Flow(name=name, start_action=data['StartAction'], actions=MappingProxyType(actions))
