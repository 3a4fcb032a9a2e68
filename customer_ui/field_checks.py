"""The forms' as-you-type hints. The services decide; a hint must only never fail, whatever a client sends as the
field's value (over the socket that can be a number, a list or a dict, not just text)."""

from __future__ import annotations


def is_filled_in(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
