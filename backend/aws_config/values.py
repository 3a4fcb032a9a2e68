"""Checks for single configuration values: each returns the cleaned value or raises InvalidInput saying what to fix.

They check the *shape* (URL, ARN, region, id); whether the thing exists is `vce doctor`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from backend.domain.errors import InvalidInput

Check = Callable[[str], str]

_PARTITION = r'aws(?:-cn|-us-gov)?'
_REGION = r'[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}'
_UUID = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
_ACCOUNT = r'\d{12}'

REGION_RE = re.compile(rf'^{_REGION}$')
UUID_RE = re.compile(rf'^{_UUID}$')
INSTANCE_ARN_RE = re.compile(
    rf'^arn:(?P<partition>{_PARTITION}):connect:(?P<region>{_REGION}):(?P<account>{_ACCOUNT}):'
    rf'instance/(?P<instance_id>{_UUID})$')
QUEUE_ARN_RE = re.compile(
    rf'^arn:(?P<partition>{_PARTITION}):connect:(?P<region>{_REGION}):(?P<account>{_ACCOUNT}):'
    rf'instance/(?P<instance_id>{_UUID})/queue/(?P<queue_id>{_UUID})$')
ROLE_ARN_RE = re.compile(rf'^arn:{_PARTITION}:iam::{_ACCOUNT}:role/[\w+=,.@/-]{{1,512}}$')
TABLE_NAME_RE = re.compile(r'^[A-Za-z0-9_.-]{3,255}$')
_LOCAL_HOSTS = {'127.0.0.1', 'localhost', '::1'}


@dataclass(frozen=True)
class InstanceArn:
    """The parts of an Amazon Connect instance ARN (flows export and doctor need the account and the id)."""

    arn: str
    partition: str
    region: str
    account: str
    instance_id: str


def parse_instance_arn(value: str) -> InstanceArn:
    match = INSTANCE_ARN_RE.match(value.strip())
    if not match:
        raise InvalidInput(f'{value!r} is not an Amazon Connect instance ARN; it looks like '
                           'arn:aws:connect:REGION:123456789012:instance/INSTANCE-UUID (Connect console → your '
                           'instance → Overview → Instance ARN)')
    return InstanceArn(match.group(0), match['partition'], match['region'], match['account'], match['instance_id'])


def instance_arn(value: str) -> str:
    return parse_instance_arn(value).arn


def queue_arn(value: str) -> str:
    if not QUEUE_ARN_RE.match(value.strip()):
        raise InvalidInput(f'{value!r} is not an Amazon Connect queue ARN; it looks like '
                           'arn:aws:connect:REGION:123456789012:instance/INSTANCE-UUID/queue/QUEUE-UUID (Connect '
                           'console → Routing → Queues → the queue → "Show additional queue information")')
    return value.strip()


def queue_instance_id(value: str) -> str:
    """The instance id inside a queue ARN (the ARN must already be valid)."""
    match = QUEUE_ARN_RE.match(value)
    assert match is not None
    return match['instance_id']


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
