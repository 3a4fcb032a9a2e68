"""Checks of single parameter values, shared by every action type's rules in ``action_specs``.

The Amazon Connect flow language says, per parameter, whether a value must be static, may be one JSONPath, or may
mix text and paths ("Parameter restrictions for actions"); these helpers word one problem per bad value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from backend.flows.model import is_json_path, looks_like_json_path

Say = Callable[[str], None]

WHOLE_NUMBER_RE = re.compile(r'[0-9]+')


def json_type(value: object) -> str:
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


def check_value(say: Say, key: str, value: object, *, allow_empty: bool = False) -> None:
    """A string that is either static or exactly one well-formed JSONPath."""
    if not isinstance(value, str):
        say(f'parameter {key!r} must be a string, got {json_type(value)}')
    elif looks_like_json_path(value) and not is_json_path(value):
        say(f'parameter {key!r} is a malformed JSONPath: {value!r}')
    elif not value and not allow_empty:
        say(f'parameter {key!r} must not be empty')


def check_text(say: Say, key: str, value: object) -> None:
    """Text that may mix static words and ``$.Paths`` ("may be defined statically or dynamically")."""
    if not isinstance(value, str) or not value.strip():
        say(f'parameter {key!r} must be a non-empty string')


def check_static_choice(say: Say, key: str, value: object, choices: Collection[str]) -> None:
    if value not in choices:
        wanted = ' or '.join(repr(choice) for choice in choices)
        say(f'parameter {key!r} must be {wanted}, got {value!r}')


def check_whole_number(say: Say, key: str, value: object, low: int, high: int, *, dynamic: bool = True) -> None:
    """A static whole number in ``low..high``, or (when ``dynamic``) a JSONPath checked again at run time."""
    if dynamic and looks_like_json_path(value):
        check_value(say, key, value)
        return
    if not isinstance(value, str) or not WHOLE_NUMBER_RE.fullmatch(value) or not low <= int(value) <= high:
        suffix = ' or a JSONPath' if dynamic else ' (static)'
        say(f'parameter {key!r} must be a whole number from {low} to {high}{suffix}, got {value!r}')


def check_string_map(say: Say, key: str, value: object, *, allow_empty_values: bool = True) -> None:
    """An object of name -> string (static or one JSONPath), e.g. Attributes, Tags, LambdaInvocationAttributes."""
    if not isinstance(value, dict) or not value:
        say(f'parameter {key!r} must be a non-empty object')
        return
    for name, item in value.items():
        if not name.strip():
            say(f'{key} names must not be empty')
        check_value(say, f'{key}.{name}', item, allow_empty=allow_empty_values)


def check_object(say: Say, key: str, value: object) -> bool:
    if not isinstance(value, dict):
        say(f'parameter {key!r} must be an object, got {json_type(value)}')
        return False
    return True


def exactly_one(say: Say, params: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    present = [key for key in keys if key in params]
    if len(present) != 1:
        say(f'needs exactly one of {" or ".join(keys)}, got {len(present)}')
    return present


def at_most_one(say: Say, params: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    present = [key for key in keys if key in params]
    if len(present) > 1:
        say(f'takes at most one of {" or ".join(keys)}, got {len(present)}')
    return present


def check_media(say: Say, key: str, value: object) -> None:
    """``Media``: an external audio file in S3 (``Uri``, ``SourceType`` S3, ``MediaType`` Audio)."""
    if not check_object(say, key, value):
        return
    assert isinstance(value, dict)
    for name in sorted(value.keys() - {'Uri', 'SourceType', 'MediaType'}):
        say(f'unknown {key} key {name!r} (allowed: MediaType, SourceType, Uri)')
    check_value(say, f'{key}.Uri', value.get('Uri'))
    check_static_choice(say, f'{key}.SourceType', value.get('SourceType'), ('S3',))
    check_static_choice(say, f'{key}.MediaType', value.get('MediaType'), ('Audio',))


PROMPT_KEYS = ('Text', 'PromptId', 'SSML', 'Media')


def check_prompt(say: Say, params: Mapping[str, Any], *, required: bool) -> None:
    """The prompt of MessageParticipant, GetParticipantInput and Lex: one of Text, PromptId, SSML or Media."""
    present = exactly_one(say, params, PROMPT_KEYS) if required else at_most_one(say, params, PROMPT_KEYS)
    for key in present:
        if key == 'Media':
            check_media(say, key, params[key])
        elif key == 'PromptId':
            check_value(say, key, params[key])
        else:
            check_text(say, key, params[key])
