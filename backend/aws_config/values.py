"""Checks for single configuration values: each returns the cleaned value or raises InvalidInput saying what to fix.

They check the *shape* (URL, ARN, region, id); whether the thing exists is `vce doctor`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from backend.domain.connect_arns import ACCOUNT, PARTITION, REGION, UUID, parse_instance_arn, parse_queue_arn
from backend.domain.errors import InvalidInput

Check = Callable[[str], str]

REGION_RE = re.compile(rf'^{REGION}$')
UUID_RE = re.compile(rf'^{UUID}$')
ROLE_ARN_RE = re.compile(rf'^arn:{PARTITION}:iam::{ACCOUNT}:role/[\w+=,.@/-]{{1,512}}$')
TABLE_NAME_RE = re.compile(r'^[A-Za-z0-9_.-]{3,255}$')
_LOCAL_HOSTS = {'127.0.0.1', 'localhost', '::1'}


def instance_arn(value: str) -> str:
    return parse_instance_arn(value).arn


def queue_arn(value: str) -> str:
    return parse_queue_arn(value).arn


def role_arn(value: str) -> str:
    if not ROLE_ARN_RE.match(value.strip()):
        raise InvalidInput(f'{value!r} is not an IAM role ARN; it looks like arn:aws:iam::123456789012:role/NAME')
    return value.strip()


def region(value: str) -> str:
    cleaned = value.strip().lower()
    if not REGION_RE.match(cleaned):
        raise InvalidInput(f'{value!r} is not an AWS region code; it looks like eu-west-2 or us-east-1')
    return cleaned


def uuid_id(value: str) -> str:
    cleaned = value.strip().lower()
    if not UUID_RE.match(cleaned):
        raise InvalidInput(f'{value!r} is not an Amazon Connect id; ids are UUIDs like '
                           '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69 (the last part of the resource ARN)')
    return cleaned


def https_url(value: str) -> str:
    """An https URL without query or fragment (http only for a local development host), trailing slash removed."""
    cleaned = value.strip()
    try:
        parts = urlsplit(cleaned)
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        raise InvalidInput(f'{value!r} is not a valid URL') from None
    local = parts.hostname in _LOCAL_HOSTS
    if parts.scheme not in ('https', 'http') or not parts.hostname or (parts.scheme == 'http' and not local):
        raise InvalidInput(f'{value!r} is not an https URL; it looks like https://example.com'
                           + ('' if parts.scheme != 'http' else ' (http is allowed only for localhost)'))
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInput(f'{value!r}: leave out the query string, fragment and user name')
    return cleaned.rstrip('/')


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, as Connect's approved origins and browsers compare them."""
    parts = urlsplit(url)
    return f'{parts.scheme}://{parts.netloc}'.lower()


def table_name(value: str) -> str:
    cleaned = value.strip()
    if not TABLE_NAME_RE.match(cleaned):
        raise InvalidInput(f'{value!r} is not a DynamoDB table name: 3-255 letters, digits, "_", "-" or "."')
    return cleaned


def text(value: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > 1024 or any(ord(c) < 32 for c in cleaned):
        raise InvalidInput('must be 1-1024 printable characters')
    return cleaned


def secret(value: str) -> str:
    if len(value) < 16 or value != value.strip():
        raise InvalidInput('must be at least 16 characters, without leading or trailing spaces '
                           '(e.g. python -c "import secrets; print(secrets.token_urlsafe(32))")')
    return value


def client_secret(value: str) -> str:
    if not value or value != value.strip():
        raise InvalidInput('must not be empty nor start or end with spaces')
    return value


def scopes(value: str) -> str:
    words = value.replace(',', ' ').split()
    if 'openid' not in words:
        raise InvalidInput(f'{value!r} must include the "openid" scope (e.g. "openid email profile")')
    return ' '.join(dict.fromkeys(words))


def choice(*options: str) -> Check:
    def check(value: str) -> str:
        cleaned = value.strip().lower()
        if cleaned not in options:
            raise InvalidInput(f'{value!r} is not one of: {", ".join(options)}')
        return cleaned

    return check
