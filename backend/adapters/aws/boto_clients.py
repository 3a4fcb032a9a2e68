"""One way to make boto3 clients for the configuration tools: botocore's standard retry mode, short timeouts.

Standard mode retries throttling, 5xx and transient network errors with backoff (3 attempts), which is safe for
every call the tools make: reads, and writes that are idempotent (PutParameter with Overwrite, UpdateContentFlow).
"""

from __future__ import annotations

from functools import cache
from typing import Any

try:
    import boto3
    from botocore.config import Config
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('aws mode needs boto3: pip install "video-call-escalation[aws]"') from error

CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=20, retries={'mode': 'standard', 'max_attempts': 3})


def make_client(service: str, region: str) -> Any:
    """A client for ``service`` in ``region`` with the project's retry and timeout settings."""
    return boto3.client(service, region_name=region, config=CLIENT_CONFIG)  # type: ignore[call-overload]


@cache
def available_regions(service: str) -> tuple[str, ...]:
    """Regions botocore's bundled endpoint data lists for a service (no network call)."""
    return tuple(boto3.session.Session().get_available_regions(service))
