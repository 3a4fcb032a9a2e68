"""Secrets Manager, read once by ``vce deploy`` so ``vce doctor`` checks the secrets the service gets.

The values go straight into the doctor's in-memory configuration; they are never printed or logged.
"""

from __future__ import annotations

from typing import Any

from backend.adapters.aws.error_messages import AWS_ERRORS, describe


def read_secret(client: Any, secret_id: str) -> str:
    """The secret's current string value (needs secretsmanager:GetSecretValue on it)."""
    try:
        return str(client.get_secret_value(SecretId=secret_id)['SecretString'])
    except AWS_ERRORS as error:
        raise describe('secretsmanager:GetSecretValue', error) from error
