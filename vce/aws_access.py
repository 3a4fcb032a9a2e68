"""What the aws-mode commands share: the region and SSM path to use, the configuration in force, and AWS clients.

Clients come from :func:`client` only, so tests can swap in moto or Stubber clients in one place.
"""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError

from backend.domain.errors import DomainError, InvalidInput
from backend.settings import BootstrapSettings
from backend.settings.ssm_source import configured_values as merge
from backend.settings.value_types import field_check, validation_problems


def client(service: str, region: str) -> Any:
    """A boto3 client with the project's retry settings (tests replace this function)."""
    from backend.adapters.aws.boto_clients import make_client

    return make_client(service, region)


def region_and_path(region: str | None, path: str | None) -> tuple[str, str]:
    """The options, else VCE_AWS_REGION / VCE_SSM_PATH; exits with a clear message when either is malformed."""
    try:
        options = {name: field_check(BootstrapSettings, name)(value)
                   for name, value in (('aws_region', region), ('ssm_path', path)) if value}
        boot = BootstrapSettings(**options)  # type: ignore[arg-type]
    except InvalidInput as error:  # an option
        raise fail(error, 2) from None
    except ValidationError as error:  # a VCE_* variable (the message names it)
        raise fail('; '.join(validation_problems(error)), 2) from None
    return boot.aws_region, boot.ssm_path


def configured_values(region: str, path: str) -> tuple[dict[str, str], list[str]]:
    """Values in force (SSM overlaid by VCE_* variables) and their problems; SSM unreadable is one more problem."""
    from backend.adapters.aws.ssm_parameters import SsmParameters

    try:
        stored = SsmParameters(client('ssm', region), path).load()
        unreadable = []
    except DomainError as error:
        stored, unreadable = {}, [str(error)]
    values, problems = merge(stored, path, region)
    return values, unreadable + problems


def fail(error: DomainError | str, code: int = 1) -> typer.Exit:
    """Print an error (one line per problem) and return the Exit to raise."""
    typer.echo(f'Error: {error}', err=True)
    return typer.Exit(code)
