"""Limits and checks for everything a person types; each failure says what to fix."""

from __future__ import annotations

import re

from backend.domain.errors import InvalidInput

MAX_NAME_LENGTH = 64
MAX_EMAIL_LENGTH = 254
MAX_MESSAGE_LENGTH = 1024  # Amazon Connect's limit for text/plain chat messages
MAX_USERNAME_LENGTH = 64
MIN_PASSWORD_LENGTH = 8

_EMAIL = re.compile(r'^[A-Za-z0-9.!#$%&\'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
                    r'(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$')
_USERNAME = re.compile(r'^[a-z0-9][a-z0-9._-]*$')
_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


def clean_name(raw: str | None) -> str:
    name = ' '.join((raw or '').split())
    if not name:
        raise InvalidInput('Please enter your name.')
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f'Please keep your name to {MAX_NAME_LENGTH} characters or fewer.')
    if _CONTROL.search(name):
        raise InvalidInput('Your name contains characters we cannot use.')
    return name


def clean_email(raw: str | None) -> str:
    email = (raw or '').strip()
    if not email:
        raise InvalidInput('Please enter your email address.')
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise InvalidInput('Please enter a valid email address, like name@example.com.')
    local, _, domain = email.rpartition('@')
    return f'{local}@{domain.lower()}'


def clean_message(raw: str | None) -> str:
    text = (raw or '').strip()
    if not text:
        raise InvalidInput('Type a message before sending.')
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(f'Messages can be at most {MAX_MESSAGE_LENGTH} characters ({len(text)} typed).')
    return _CONTROL.sub('', text)


def clean_username(raw: str | None) -> str:
    username = (raw or '').strip().lower()
    if not username or len(username) > MAX_USERNAME_LENGTH or not _USERNAME.match(username):
        raise InvalidInput('Usernames use 1-64 lower-case letters, digits, dots, dashes or underscores.')
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f'Passwords need at least {MIN_PASSWORD_LENGTH} characters.')
    return password
