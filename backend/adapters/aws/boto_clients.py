"""One way to make boto3 clients for the configuration tools: botocore's standard retry mode, short timeouts.

Standard mode retries throttling, 5xx and transient network errors with backoff (3 attempts), which is safe for
every call the tools make: reads, and writes that are idempotent (PutParameter with Overwrite, UpdateContentFlow).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

try:
    import boto3
    from botocore.config import Config
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('aws mode needs boto3: pip install "video-call-escalation[aws]"') from error

CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=20, retries={'mode': 'standard', 'max_attempts': 3})


def make_client(service: str, region: str, config: Config | None = None,
                credentials: Mapping[str, Any] | None = None) -> Any:
    """A client for ``service`` in ``region`` with the project's retry and timeout settings (or ``config``), as the
    environment's identity or as STS ``credentials`` (AccessKeyId, SecretAccessKey, SessionToken)."""
    keys = {'aws_access_key_id': credentials['AccessKeyId'], 'aws_secret_access_key': credentials['SecretAccessKey'],
            'aws_session_token': credentials['SessionToken']} if credentials else {}
    return boto3.client(service, region_name=region, config=config or CLIENT_CONFIG,  # type: ignore[call-overload]
                        **keys)


def make_app_client(service: str, region: str) -> Any:
    """A client for the running server: people wait on these calls, so each service gets its adapter's short
    timeouts (all in botocore's standard retry mode)."""
    from backend.adapters.aws import (
        chime_media_pipelines,
        chime_meetings,
        connect_chat_api,
        connect_federation,
        dynamo_store,
        s3_recordings,
    )

    configs = {'dynamodb': dynamo_store.CLIENT_CONFIG, chime_meetings.SERVICE: chime_meetings.CLIENT_CONFIG,
               'connect': connect_chat_api.CLIENT_CONFIG, 'connectparticipant': connect_chat_api.CLIENT_CONFIG,
               'sts': connect_federation.CLIENT_CONFIG, 's3': s3_recordings.CLIENT_CONFIG,
               chime_media_pipelines.SERVICE: chime_media_pipelines.CLIENT_CONFIG}
    return make_client(service, region, configs.get(service))


@cache
def available_regions(service: str) -> tuple[str, ...]:
    """Regions botocore's bundled endpoint data lists for a service (no network call)."""
    return tuple(boto3.session.Session().get_available_regions(service))
