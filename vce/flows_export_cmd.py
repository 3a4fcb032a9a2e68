"""``vce flows export``: the flow files with the instance's real ARNs, written out and optionally put into Connect."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from backend import bootstrap
from backend.domain.connect_arns import InstanceArn, parse_instance_arn, parse_queue_arn
from backend.domain.errors import DomainError, InvalidInput
from backend.flows import InvalidFlowError
from backend.flows.export import FLOW_ID_PARAMETERS, SourceFlow, Targets, read_flows, render, render_all, write_all
from backend.settings.parameters import BY_NAME
from vce import aws_access
from vce_resources import contact_flows_dir

PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000'  # stands in for flow ids not known before creation


def register(flows_app: typer.Typer) -> None:
    flows_app.command('export')(export)


def export(out: Annotated[Path, typer.Option(help='Directory for the ready-to-import files.')] = Path(
               'var/connect_flows'),
           create_or_update: Annotated[bool, typer.Option(
               '--create-or-update', help='Also create the flows in the Connect instance (found by name) or update '
               'their content.')] = False,
           flows_dir: Annotated[Path | None, typer.Option(
               help='Where the flow files are (default: the flows shipped with the package).')] = None,
           region: Annotated[str | None, typer.Option(help='AWS region (default: VCE_AWS_REGION).')] = None,
           path: Annotated[str | None, typer.Option(help='SSM hierarchy (default: VCE_SSM_PATH).')] = None) -> None:
    """Replace the placeholder ARNs in the flow files with the configured queue and flow ARNs, validate, write
    them to --out, and with --create-or-update also create or update them in the Connect instance."""
    region, path = aws_access.region_and_path(region, path)
    values, _ = aws_access.configured_values(region, path)
    flows_dir = flows_dir or contact_flows_dir()
    try:
        instance = parse_instance_arn(_required(values, 'connectInstanceARN'))
        queues = {'BasicQueue': parse_queue_arn(_required(values, 'connectBasicQueueARN')).arn}
        flows = read_flows(sorted(flows_dir.glob('*.json')))
        if not flows:
            raise InvalidInput(f'no flow files (*.json) in {flows_dir}')
        configured = {name: values[parameter] for name, parameter in FLOW_ID_PARAMETERS.items()
                      if values.get(parameter)}
        ids = dict(configured)
        if create_or_update:
            render_all(flows, Targets(instance.arn, queues, {f.name: PLACEHOLDER_ID for f in flows}))  # valid first
            ids.update(_publish(instance, flows, queues, configured))
        files = write_all(render_all(flows, Targets(instance.arn, queues, ids)), out)
    except InvalidFlowError as error:
        typer.echo('Nothing was written:', err=True)
        for problem in error.problems:
            typer.echo(f'  - {problem}', err=True)
        raise typer.Exit(1) from None
    except (DomainError, OSError) as error:
        raise aws_access.fail(f'{error} (no files were written)') from None
    typer.echo(f'Wrote {len(files)} flow file(s) for {instance.arn}: {", ".join(str(f) for f in files)}')


def _publish(instance: InstanceArn, flows: list[SourceFlow], queues: Mapping[str, str],
             configured: Mapping[str, str]) -> dict[str, str]:
    """Create/update in Connect; prints what it did and the `vce configure` line for ids that changed."""
    changes = bootstrap.flow_publisher(instance).publish(flows, lambda flow, known: render(
        flow, Targets(instance.arn, queues, {**configured, **known})))
    for change in changes:
        typer.echo(f'{change.action.capitalize()} {change.name} ({change.flow_id}) in {instance.instance_id}.')
    hints = [f'--{BY_NAME[FLOW_ID_PARAMETERS[c.name]].option} {c.flow_id}' for c in changes
             if c.name in FLOW_ID_PARAMETERS and configured.get(c.name) != c.flow_id]
    if hints:
        typer.echo(f'Store the flow ids for aws mode: vce configure {" ".join(hints)}')
    return {change.name: change.flow_id for change in changes}


def _required(values: Mapping[str, str], name: str) -> str:
    if not values.get(name):
        raise InvalidInput(f'{name} is not configured: vce configure --{BY_NAME[name].option} VALUE')
    return values[name]
