"""What the aws-mode commands share: the region and SSM path to use, the configuration in force, and error output.

Everything that talks to AWS comes from ``backend.bootstrap`` (its ``aws_client`` is the one place clients are made).
"""

from __future__ import annotations

from collections.abc import Mapping

import typer
from pydantic import ValidationError

from backend import bootstrap
from backend.domain.errors import DomainError, InvalidInput
from backend.settings import BootstrapSettings
from backend.settings.ssm_source import configured_values as merge
from backend.settings.value_types import field_check, validation_problems


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


def configured_values(region: str, path: str, overrides: Mapping[str, str] | None = None
                      ) -> tuple[dict[str, str], list[str]]:
    """Values in force (SSM overlaid by VCE_* variables, then by ``overrides``, keyed by setting name) and their
    problems; SSM unreadable is one more problem."""
    try:
        stored = bootstrap.ssm_parameter_store(region, path).load()
        unreadable = []
    except DomainError as error:
        stored, unreadable = {}, [str(error)]
    values, problems = merge(stored, path, region, **(overrides or {}))
    return values, unreadable + problems


def fail(error: DomainError | str, code: int = 1) -> typer.Exit:
    """Print an error (one line per problem) and return the Exit to raise."""
    typer.echo(f'Error: {error}', err=True)
    return typer.Exit(code)
