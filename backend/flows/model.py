"""Parsed, immutable Amazon Connect flows (flow language Version 2019-10-30).

Only :func:`backend.flows.validation.parse_flow` builds these from JSON, so code that holds a :class:`Flow` can
trust its shape: every transition points at an existing action and every parameter has been checked.
The JSONPath grammar lives here because the validator and the interpreter must agree on it exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

FLOW_VERSION = '2019-10-30'
NO_MATCHING_ERROR = 'NoMatchingError'
COMPARISON_OPERATORS = (
    'Equals',
    'NumberGreaterThan',
    'NumberGreaterOrEqualTo',
    'NumberLessThan',
    'NumberLessOrEqualTo',
    'TextContains',
    'TextStartsWith',
    'TextEndsWith',
)

# A dynamic value is exactly one JSONPath such as ``$.Attributes.customerName``. Attribute keys "can include only
# alphanumeric, dash, and underscore characters" (Connect's UpdateContactAttributes API), so a segment may hold a
# dash between word characters (``$.FlowAttributes.acme-exampleFunction``).
_SEGMENT = r'\.[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*'
JSON_PATH_RE = re.compile(rf'\$(?:{_SEGMENT})+')
# Inside message text a path ends at the first character that cannot continue it (``!``, ``,``, a trailing ``.``).
TEXT_PATH_RE = re.compile(rf'\$((?:{_SEGMENT})+)')


def is_json_path(value: object) -> bool:
    """True if ``value`` is one well-formed JSONPath, i.e. a dynamic parameter value."""
    return isinstance(value, str) and JSON_PATH_RE.fullmatch(value) is not None


def looks_like_json_path(value: object) -> bool:
    """True if ``value`` was meant as a JSONPath (so a malformed one is reported instead of used as text)."""
    return isinstance(value, str) and value.startswith('$.')


def freeze(value: Any) -> Any:
    """Deep read-only copy of parsed JSON, so a shared Flow cannot be changed by one of its runs."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, JSON-ready copy of frozen flow JSON (for values a flow hands to the contact or a callable)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value


@dataclass(frozen=True)
class Condition:
    """One entry of ``Transitions.Conditions``: go to ``next_action`` when ``operator(value, operand)`` holds."""

    operator: str
    operand: str
    next_action: str


@dataclass(frozen=True)
class ErrorTransition:
    """One entry of ``Transitions.Errors``."""

    error_type: str
    next_action: str


@dataclass(frozen=True)
class Action:
    """One step of a flow; ``parameters`` is a read-only view of the JSON ``Parameters`` object."""

    identifier: str
    type: str
    parameters: Mapping[str, Any]
    next_action: str | None = None
    conditions: tuple[Condition, ...] = ()
    errors: tuple[ErrorTransition, ...] = ()

    def error_target(self, error_type: str) -> str | None:
        """Where an error goes: the exact ErrorType first, then the catch-all NoMatchingError, else nowhere."""
        for wanted in (error_type, NO_MATCHING_ERROR):
            for error in self.errors:
                if error.error_type == wanted:
                    return error.next_action
        return None

    def targets(self) -> tuple[str, ...]:
        """Every action this one can lead to, for reachability checks."""
        found = [self.next_action] if self.next_action else []
        found += [condition.next_action for condition in self.conditions]
        found += [error.next_action for error in self.errors]
        return tuple(found)


@dataclass(frozen=True)
class Flow:
    """A validated flow; ``name`` is the file stem, which is how the local engine finds flows by reference."""

    name: str
    start_action: str
    actions: Mapping[str, Action]

    def action(self, identifier: str) -> Action:
        return self.actions[identifier]

    def actions_of_type(self, action_type: str) -> tuple[Action, ...]:
        return tuple(action for action in self.actions.values() if action.type == action_type)
