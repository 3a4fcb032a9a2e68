"""Limits and checks for everything a person types; each failure says what to fix.

Every check takes ``object``, not ``str``: over NiceGUI's socket a client can send any JSON as an input's value, so a
number, a list, a dict, a bool or None reaches the services as it was sent. Anything that is not a string gets the
same message as an empty field. Only white space is normalised; hidden characters are refused
(``hidden_characters.py`` says which and why).
"""

from __future__ import annotations

import re

from backend.domain.errors import InvalidInput
from backend.domain.hidden_characters import refused_character, shows_something

MAX_NAME_LENGTH = 64
MAX_EMAIL_LENGTH = 254
MAX_MESSAGE_LENGTH = 1024  # Amazon Connect's limit for text/plain chat messages
MAX_USERNAME_LENGTH = 64
MIN_PASSWORD_LENGTH = 8

NO_NAME_TEXT = 'Please enter your name.'
NO_EMAIL_TEXT = 'Please enter your email address.'
NO_MESSAGE_TEXT = 'Type a message before sending.'
USERNAME_RULE_TEXT = 'Usernames use 1-64 lower-case letters, digits, dots, dashes or underscores.'

_EMAIL = re.compile(r'[A-Za-z0-9.!#$%&\'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
                    r'(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+')
_USERNAME = re.compile(r'[a-z0-9][a-z0-9._-]*')
_LINE_BREAKS = re.compile('\r\n|[\r\x0b\x0c\x85\u2028\u2029]')  # every way of ending a line becomes '\n'
MESSAGE_CONTROLS = '\t\n'  # the only control characters a chat message keeps


def typed_text(raw: object, when_missing: str) -> str:
    """``raw`` if it is a string; anything else is refused with the words for an empty field."""
    if not isinstance(raw, str):
        raise InvalidInput(when_missing)
    return raw


def clean_name(raw: object) -> str:
    """A customer's, caller's or agent's name: any run of white space becomes one space; hidden characters are
    refused; something must show."""
    name = ' '.join(typed_text(raw, NO_NAME_TEXT).split())
    if not name:
        raise InvalidInput(NO_NAME_TEXT)
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f'Please keep your name to {MAX_NAME_LENGTH} characters or fewer.')
    problem = refused_character(name)
    if problem is not None:
        raise InvalidInput(f'Your name contains {problem}. Please type it again without it.')
    if not shows_something(name):
        raise InvalidInput(NO_NAME_TEXT)
    return name


def clean_email(raw: object) -> str:
    """ASCII only (the pattern), so no hidden character can pass; the domain is lower-cased."""
    email = typed_text(raw, NO_EMAIL_TEXT).strip()
    if not email:
        raise InvalidInput(NO_EMAIL_TEXT)
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        raise InvalidInput('Please enter a valid email address, like name@example.com.')
    local, _, domain = email.rpartition('@')
    return f'{local}@{domain.lower()}'


def clean_message(raw: object) -> str:
    """A chat line (customer or agent): line endings become ``\\n`` and the ends are trimmed; tabs and newlines are
    the only control characters kept; other hidden characters are refused; something must show."""
    text = _LINE_BREAKS.sub('\n', typed_text(raw, NO_MESSAGE_TEXT)).strip()
    if not text:
        raise InvalidInput(NO_MESSAGE_TEXT)
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(f'Messages can be at most {MAX_MESSAGE_LENGTH} characters ({len(text)} typed).')
    problem = refused_character(text, allowed=MESSAGE_CONTROLS)
    if problem is not None:
        raise InvalidInput(f'Your message contains {problem}. Please type it again without it.')
    if not shows_something(text):
        raise InvalidInput(NO_MESSAGE_TEXT)
    return text


def clean_username(raw: object) -> str:
    """ASCII only, checked before lower-casing (the Kelvin sign would otherwise become a ``k``), so no hidden or
    look-alike character can pass."""
    username = typed_text(raw, USERNAME_RULE_TEXT).strip()
    if not username.isascii():
        raise InvalidInput(USERNAME_RULE_TEXT)
    username = username.lower()
    if not username or len(username) > MAX_USERNAME_LENGTH or not _USERNAME.fullmatch(username):
        raise InvalidInput(USERNAME_RULE_TEXT)
    return username


def check_password(password: object) -> str:
    too_short = f'Passwords need at least {MIN_PASSWORD_LENGTH} characters.'
    text = typed_text(password, too_short)
    if len(text) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(too_short)
    return text
