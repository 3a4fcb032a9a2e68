"""Flow data as a flow sees it: JSONPath lookups, message interpolation and the comparison operators.

The validator and every action handler must agree on these, so they live in one place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from backend.flows.model import TEXT_PATH_RE, is_json_path


def as_text(value: Any) -> str:
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


def lookup_value(data: Mapping[str, Any], path: str) -> Any:
    """The raw value at a ``$.A.B`` path (an object stays an object), or None when any segment is missing."""
    node: Any = data
    for segment in path.removeprefix('$.').split('.'):
        if not isinstance(node, Mapping) or segment not in node:
            return None
        node = node[segment]
    return node


def lookup(data: Mapping[str, Any], path: str) -> str:
    """The value of a ``$.A.B`` path in flow data, or '' when any segment is missing."""
    return as_text(lookup_value(data, path))


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
