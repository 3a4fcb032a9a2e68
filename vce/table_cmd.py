"""``vce create-table``: create aws mode's DynamoDB table (or finish one half made), so deploying needs no console."""

from __future__ import annotations

from typing import Annotated

import typer

from backend import bootstrap
from backend.domain.errors import DomainError
from backend.settings.parameters import BY_NAME, effective
from vce import aws_access


def register(app: typer.Typer) -> None:
    app.command('create-table')(create_table)


def create_table(region: Annotated[str | None, typer.Option(help='AWS region (default: VCE_AWS_REGION).')] = None,
                 path: Annotated[str | None, typer.Option(help='SSM hierarchy (default: VCE_SSM_PATH).')] = None,
                 ) -> None:
    """Create the configured DynamoDB table (on-demand, TTL on); safe to run again."""
    region, path = aws_access.region_and_path(region, path)
    values, _ = aws_access.configured_values(region, path)
    name = effective(BY_NAME['dynamodbTableName'], values)
    try:
        status = bootstrap.create_table(region, name)
    except DomainError as error:  # says which call failed and what to do
        raise aws_access.fail(error) from None
    what = 'created' if status.created else 'already there'
    ttl = ', TTL turned on' if status.ttl_turned_on else ''
    typer.echo(f'DynamoDB table {name} in {region}: {what}{ttl}.')
