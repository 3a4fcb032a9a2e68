"""``vce doctor``: check that the AWS side is ready for aws mode and say how to fix each thing that is not.

``vce doctor --pilot`` then runs the live smoke test on a sandbox instance and prints a verdict per assumption of
docs/aws/fidelity.md (it starts real chats, a reference, a Chime meeting and a federated sign-in; all cleaned up).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from backend import bootstrap
from backend.domain.errors import DomainError
from vce import aws_access

FAIL = 'fail'
WIDE_ENOUGH_FOR_A_TABLE = 120  # columns
LABELS = {'ok': '[green]✔ ok[/green]', FAIL: '[bold red]✘ FAIL[/bold red]', 'skip': '[yellow]– skipped[/yellow]'}
VERDICTS = {'holds': '[green]✔ holds[/green]', 'broken': '[bold red]✘ BROKEN[/bold red]',
            'not tried': '[yellow]– not tried[/yellow]'}


def register(app: typer.Typer) -> None:
    app.command('doctor')(doctor)


def doctor(region: Annotated[str | None, typer.Option(help='AWS region (default: VCE_AWS_REGION).')] = None,
           path: Annotated[str | None, typer.Option(help='SSM hierarchy (default: VCE_SSM_PATH).')] = None,
           pilot: Annotated[bool, typer.Option(
               '--pilot', help='Then run the live smoke test on this (sandbox!) instance and give a verdict per '
               'assumption of docs/aws/fidelity.md.')] = False,
           pilot_agent: Annotated[str, typer.Option(
               help='A Connect username of the instance for the pilot (reference routing, federated sign-in).')] = '',
           pilot_timeout: Annotated[float, typer.Option(
               min=1, help='Seconds the pilot waits for each thing Connect does on its own.')] = 60.0,
           pilot_heartbeat: Annotated[float, typer.Option(
               min=0.05, help='Seconds between the pilot websocket\'s heartbeats (it must outlive 2.5 of them).')
           ] = 5.0) -> None:
    """Check credentials, region, the Connect instance, flows, queue and approved origins, Chime SDK permissions,
    the DynamoDB table and the Cognito app client; exits 1 when anything is red (with --pilot: or broken)."""
    region, path = aws_access.region_and_path(region, path)
    if not run_checks(region, path):
        if pilot:
            typer.echo('The pilot runs only when every check is green.', err=True)
        raise typer.Exit(1)
    if pilot:
        _pilot(region, path, pilot_agent, pilot_timeout, pilot_heartbeat)


def run_checks(region: str, path: str, secrets: Mapping[str, str] | None = None) -> bool:
    """Print the checks' table; True when none failed. ``secrets`` (by setting name) stand in for values the
    environment would give the server (``vce deploy``: the secrets Secrets Manager gives the service)."""
    values, problems = aws_access.configured_values(region, path, secrets)
    results = bootstrap.doctor_checks(values, region, problems)
    console = Console(highlight=False)
    title = f'vce doctor — {region}, SSM {path}'
    if console.width < WIDE_ENOUGH_FOR_A_TABLE:  # a narrow table folds option names and ARNs mid-word
        _print_as_list(console, title, [(r.status.value, r.name, r.detail, r.fix) for r in results])
    else:
        table = Table(title=title, show_lines=True)
        for column in ('Check', 'Status', 'Detail', 'Fix'):
            table.add_column(column, overflow='fold')
        for result in results:
            table.add_row(result.name, LABELS[result.status.value], result.detail, result.fix,
                          style='red' if result.status.value == FAIL else None)
        console.print(table)
    failed = [r.name for r in results if r.status.value == FAIL]
    if failed:
        typer.echo(f'{len(failed)} check(s) failed: {", ".join(failed)}', err=True)
        return False
    typer.echo('All checks passed.')
    return True


def _print_as_list(console: Console, title: str, rows: Sequence[tuple[str, str, str, str]]) -> None:
    """One block per check (status, name, detail, fix); long words (options, ARNs, URLs) wrap at spaces only,
    never cut or folded."""
    console.print(f'[bold]{title}[/bold]')
    for status, name, detail, fix in rows:
        console.print(f'{LABELS[status]}  [bold]{name}[/bold]', overflow='ignore', crop=False)
        for label, text in (('', detail), ('fix: ', fix)):
            if text:
                console.print(f'    {label}{text}', markup=False, overflow='ignore', crop=False)


def _pilot(region: str, path: str, agent: str, timeout: float, heartbeat: float) -> None:
    try:
        settings = bootstrap.load_settings(mode='aws', aws_region=region, ssm_path=path)
        findings = asyncio.run(bootstrap.run_pilot(settings, agent_username=agent, timeout_seconds=timeout,
                                                   heartbeat_seconds=heartbeat))
    except (DomainError, ValueError) as error:  # settings that do not load, a refused start
        raise aws_access.fail(f'the pilot could not start: {error}') from None
    table = Table(title='vce doctor --pilot — verdicts (rows of docs/aws/fidelity.md)', show_lines=True)
    for column in ('Row', 'Assumption', 'Verdict', 'Evidence'):
        table.add_column(column, overflow='fold')
    for finding in findings:
        table.add_row(finding.row, finding.assumption, VERDICTS[finding.verdict.value], finding.evidence,
                      style='red' if finding.verdict.value == 'broken' else None)
    Console(highlight=False).print(table)
    broken = [f.row for f in findings if f.verdict.value == 'broken']
    if broken:
        typer.echo(f'{len(broken)} assumption(s) broken: {", ".join(broken)} (see docs/aws/fidelity.md)', err=True)
        raise typer.Exit(1)
    typer.echo('No assumption broken.')
