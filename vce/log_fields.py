"""The fields of one of our log lines, for the JSON log: ``meeting.started meeting=%s contact=%s`` gives the event
``meeting.started`` and the fields ``meeting`` and ``contact``.

The names come from the format string, which is our code; the values are the call's arguments, one per field. So a
value that a client chose (an OIDC error text, a username) can never add or rename a field, whatever it contains,
which reading ``key=value`` pairs back from the formatted text could not promise. A line that does not follow the
pattern simply has no fields: its message is always logged whole.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

CONVERSION = re.compile(r'%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]')
ANY_CONVERSION = re.compile(r'%(?:\([^)]*\))?[-#0 +*]*\d*(?:\.[*\d]+)?[a-zA-Z%]')
FIELD = re.compile(r'([a-z][a-z0-9_]*)=(%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])')
EVENT = re.compile(r'[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+')
INTEGERS = frozenset('di')  # (octal and hex stay text)
DECIMALS = frozenset('eEfFgG')


@dataclass(frozen=True)
class LineFields:
    event: str | None = None
    fields: dict[str, object] = field(default_factory=dict)


def line_fields(template: object, args: object) -> LineFields:
    """The event (the first word, when it looks like ``name.name``) and the ``key=%x`` fields of a log call."""
    if not isinstance(template, str) or not isinstance(args, tuple):
        return LineFields()
    conversions = [c for c in ANY_CONVERSION.findall(template) if c != '%%']
    if len(conversions) != len(args) or any(not CONVERSION.fullmatch(c) for c in conversions):
        return LineFields()  # mapping or starred conversions, or arguments that do not fit: the message alone
    try:
        return _read(template, args)
    except Exception:  # an argument whose str() or number conversion fails: the message alone
        return LineFields()


def _read(template: str, args: tuple[object, ...]) -> LineFields:
    event, fields, taken = None, {}, 0
    for index, token in enumerate(template.split(' ')):
        count = len([c for c in ANY_CONVERSION.findall(token) if c != '%%'])
        own, taken = args[taken:taken + count], taken + count
        found = FIELD.fullmatch(token)
        if found and count == 1:
            fields[found.group(1)] = _value(found.group(2), own[0])
        elif index == 0 and '=' not in token:
            text = token % own
            event = text if EVENT.fullmatch(text) else None
    return LineFields(event, fields)


def _value(conversion: str, arg: object) -> object:
    """The argument as the line prints it; a number or a bool stays one in JSON (a finite number: JSON has no NaN)."""
    if isinstance(arg, bool) and conversion == '%s':
        return arg
    text = conversion % (arg,)
    if conversion[-1] in INTEGERS:
        return int(text)
    if conversion[-1] in DECIMALS:
        number = float(text)
        return number if math.isfinite(number) else text
    return text
