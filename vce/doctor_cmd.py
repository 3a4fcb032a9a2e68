"""``vce doctor``: check that the AWS side is ready for aws mode and say how to fix each thing that is not."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from backend import bootstrap
from vce import aws_access

FAIL = 'fail'
LABELS = {'ok': '[green]✔ ok[/green]', FAIL: '[bold red]✘ FAIL[/bold red]', 'skip': '[yellow]– skipped[/yellow]'}


def register(app: typer.Typer) -> None:
    app.command('doctor')(doctor)


def doctor(region: Annotated[str | None, typer.Option(help='AWS region (default: VCE_AWS_REGION).')] = None,
           path: Annotated[str | None, typer.Option(help='SSM hierarchy (default: VCE_SSM_PATH).')] = None) -> None:
    """Check credentials, region, the Connect instance, flows, queue and approved origins, Chime SDK permissions,
    the DynamoDB table and the Cognito app client; exits 1 when anything is red."""
    region, path = aws_access.region_and_path(region, path)
    values, problems = aws_access.configured_values(region, path)
    results = bootstrap.doctor_checks(values, region, problems)
    table = Table(title=f'vce doctor — {region}, SSM {path}', show_lines=True)
    for column in ('Check', 'Status', 'Detail', 'Fix'):
        table.add_column(column, overflow='fold')
    for result in results:
        table.add_row(result.name, LABELS[result.status.value], result.detail, result.fix,
                      style='red' if result.status.value == FAIL else None)
    Console(highlight=False).print(table)
    failed = [r.name for r in results if r.status.value == FAIL]
    if failed:
        typer.echo(f'{len(failed)} check(s) failed: {", ".join(failed)}', err=True)
        raise typer.Exit(1)
    typer.echo('All checks passed.')
