"""Checks for single setting values: each returns the cleaned value or raises InvalidInput saying what to fix.

Each kind of value (a region, a role ARN, an https URL, ...) has exactly one check here. The Settings fields validate
with them (``value_types``), and the SSM parameter tree takes each parameter's check from its Settings field, so a
value is refused with the same words whether it comes from ``VCE_*``, ``.env``, SSM or ``vce configure``.
They check the *shape* (URL, ARN, region, id); whether the thing exists is `vce doctor`'s job.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from backend.domain.connect_arns import (
    ACCOUNT,
    PARTITION,
    REGION,
    UUID,
    parse_instance_arn,
    parse_queue_arn,
    parse_routing_profile_arn,
    parse_security_profile_arn,
)
from backend.domain.connect_instance import connect_instance_urls
from backend.domain.errors import InvalidInput

Check = Callable[[str], str]

REGION_RE = re.compile(REGION)
UUID_RE = re.compile(UUID)
ROLE_ARN_RE = re.compile(rf'arn:{PARTITION}:iam::{ACCOUNT}:role/[\w+=,.@/-]{{1,512}}')
TABLE_NAME_RE = re.compile(r'[A-Za-z0-9_.-]{3,255}')
SSM_PATH_RE = re.compile(r'/(?:[A-Za-z0-9_.-]+/)*')
MIN_SECRET_LENGTH = 16
NEAREST_REGION = 'nearest'  # Chime media region: ask Chime for the region nearest this server


def instance_arn(value: str) -> str:
    return parse_instance_arn(value).arn


def queue_arn(value: str) -> str:
    return parse_queue_arn(value).arn


def routing_profile_arn(value: str) -> str:
    return parse_routing_profile_arn(value).arn


def security_profile_arn(value: str) -> str:
    return parse_security_profile_arn(value).arn


def role_arn(value: str) -> str:
    if not ROLE_ARN_RE.fullmatch(value.strip()):
        raise InvalidInput(f'{value!r} is not an IAM role ARN; it looks like arn:aws:iam::123456789012:role/NAME')
    return value.strip()


def region(value: str) -> str:
    cleaned = value.strip().lower()
    if not REGION_RE.fullmatch(cleaned):
        raise InvalidInput(f'{value!r} is not an AWS region code; it looks like eu-west-2 or us-east-1')
    return cleaned


def media_region(value: str) -> str:
    """A Chime SDK media region code, or ``nearest`` (looked up from the server when the first meeting starts)."""
    if value.strip().lower() == NEAREST_REGION:
        return NEAREST_REGION
    try:
        return region(value)
    except InvalidInput as error:
        raise InvalidInput(f'{error}, or {NEAREST_REGION} for the region nearest this server') from None


def uuid_id(value: str) -> str:
    cleaned = value.strip().lower()
    if not UUID_RE.fullmatch(cleaned):
        raise InvalidInput(f'{value!r} is not an Amazon Connect id; ids are UUIDs like '
                           '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69 (the last part of the resource ARN)')
    return cleaned


def https_url(value: str) -> str:
    """An https URL without query or fragment (plain http only on this machine), trailing slash removed."""
    cleaned = value.strip()
    parts = _secure_url(value, cleaned)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInput(f'{value!r}: leave out the query string, fragment and user name')
    return cleaned.rstrip('/')


def https_link(value: str) -> str:
    """An https URL that may carry a query string, e.g. a provider's logout address (plain http only on this
    machine)."""
    cleaned = value.strip()
    _secure_url(value, cleaned)
    return cleaned


def connect_instance_url(value: str) -> str:
    """An Amazon Connect instance address in either of its domains, as the instance's base URL."""
    return connect_instance_urls(https_url(value)).base


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, as Connect's approved origins and browsers compare them."""
    parts = urlsplit(url)
    return f'{parts.scheme}://{parts.netloc}'.lower()


def table_name(value: str) -> str:
    cleaned = value.strip()
    if not TABLE_NAME_RE.fullmatch(cleaned):
        raise InvalidInput(f'{value!r} is not a DynamoDB table name: 3-255 letters, digits, "_", "-" or "."')
    return cleaned


BUCKET_NAME_RE = re.compile(r'[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]')


def bucket_name(value: str) -> str:
    cleaned = value.strip()
    if not BUCKET_NAME_RE.fullmatch(cleaned) or '..' in cleaned:
        raise InvalidInput(f'{value!r} is not an S3 bucket name: 3-63 lower-case letters, digits, "." or "-"')
    return cleaned


def text(value: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > 1024 or any(ord(c) < 32 for c in cleaned):
        raise InvalidInput('must be 1-1024 printable characters')
    return cleaned


def secret(value: str) -> str:
    if len(value) < MIN_SECRET_LENGTH or value != value.strip():
        raise InvalidInput(f'must be at least {MIN_SECRET_LENGTH} characters, without leading or trailing spaces '
                           '(e.g. python -c "import secrets; print(secrets.token_urlsafe(32))")')
    return value


def client_secret(value: str) -> str:
    if not value or value != value.strip():
        raise InvalidInput('must not be empty nor start or end with spaces')
    return value


def redis_url(value: str) -> str:
    """A Redis URL: ``rediss://`` (TLS, e.g. ElastiCache), ``redis://`` or ``unix://`` (a password in it is secret)."""
    cleaned = value.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in ('redis', 'rediss', 'unix') or not (parts.hostname or parts.path):
        raise InvalidInput('must be a redis:// or rediss:// URL (e.g. rediss://my-cache.example.com:6379/0)')
    return cleaned


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


def normalise_path(path: str) -> str:
    """``/VideoCallEscalation`` → ``/VideoCallEscalation/``; refuses what SSM would refuse."""
    cleaned = path.strip()
    if not cleaned.endswith('/'):
        cleaned += '/'
    if not cleaned.startswith('/'):
        cleaned = '/' + cleaned
    if (cleaned == '/' or not SSM_PATH_RE.fullmatch(cleaned) or len(cleaned) > 900
            or cleaned.lower().startswith(('/aws', '/ssm'))):
        raise InvalidInput(f'{path!r} is not a usable SSM hierarchy: use letters, digits, "_", "-", "." and "/", '
                           'like /VideoCallEscalation/ (names starting with aws or ssm are reserved)')
    return cleaned


def _secure_url(value: str, cleaned: str) -> SplitResult:
    """The parts of an https URL, or of an http one on this machine (plain http never leaves it)."""
    try:
        parts = urlsplit(cleaned)
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        raise InvalidInput(f'{value!r} is not a valid URL') from None
    if (parts.scheme == 'https' and parts.hostname) or (parts.scheme == 'http' and _is_loopback(parts.hostname)):
        return parts
    raise InvalidInput(f'{value!r} is not an https URL; it looks like https://example.com'
                       + ('' if parts.scheme != 'http' else ' (http is allowed only for localhost)'))


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return host == 'localhost' or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost
        return False


def proxy_networks(value: str) -> str:
    """Trusted proxies: IP addresses or CIDR networks, separated by commas or spaces, returned comma-separated in
    canonical form; empty trusts no proxy. Host bits in a network and "*" are refused: a typo there would let clients
    forge their address (docs/security/proxies.md)."""
    cleaned: list[str] = []
    for entry in value.replace(',', ' ').split():
        if entry == '*':
            raise InvalidInput('"*" would let every client forge its address; list your proxies\' addresses or '
                               'networks, e.g. 10.0.0.0/16')
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError:
            raise InvalidInput(f'{entry!r} is not an IP address or network without host bits; use e.g. 10.0.1.7, '
                               '10.0.0.0/16 or fd00::/8') from None
        cleaned.append(str(network.network_address) if '/' not in entry else str(network))
    return ','.join(dict.fromkeys(cleaned))
