"""Flow files made ready for Amazon Connect: placeholder ARNs replaced by the instance's real queue and flow ARNs.

The shipped files refer to resources by placeholder ARNs (``arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/
queue/BasicQueue``) so they stay instance-neutral and run in the local engine. Rendering replaces every placeholder,
refuses one it has no value for, and validates the result, so nothing half-filled reaches a file or Connect.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.flows.loader import check_flow_files
from backend.flows.validation import InvalidFlowError, check_flow

PLACEHOLDER_RE = re.compile(
    r'arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/(?P<kind>[a-z-]+)/(?P<name>[\w.-]+)')
# Metadata.type as the flow designer exports it -> the Type CreateContactFlow needs.
CONNECT_TYPES = {'contactFlow': 'CONTACT_FLOW', 'customerQueue': 'CUSTOMER_QUEUE'}
# Which `vce configure` parameter holds the id of each shipped flow once it exists in Connect.
FLOW_ID_PARAMETERS = {'VideoCallEscalationChat': 'connectDefaultContactFlowId',
                      'VideoCallEscalationQueue': 'connectQueueFlowId',
                      'VideoCallEscalationVoiceQueue': 'connectVoiceQueueFlowId'}


@dataclass(frozen=True)
class SourceFlow:
    """A flow file read and checked: its name (file stem), Connect type, the flows it refers to, and its JSON."""

    name: str
    connect_type: str
    depends_on: tuple[str, ...]
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Targets:
    """What the placeholders become: the instance ARN, queue ARNs and flow ids by placeholder name."""

    instance_arn: str
    queues: Mapping[str, str]
    flow_ids: Mapping[str, str]

    def arn_for(self, kind: str, name: str) -> str | None:
        if kind == 'queue':
            return self.queues.get(name)
        if kind == 'contact-flow' and name in self.flow_ids:
            return f'{self.instance_arn}/contact-flow/{self.flow_ids[name]}'
        return None


def read_flows(paths: Iterable[Path]) -> list[SourceFlow]:
    """Read and validate the files (together, so cross-flow references are checked), in dependency order."""
    files = sorted(Path(path) for path in paths)
    problems = check_flow_files(files)
    if problems:
        raise InvalidFlowError('flows', problems)
    flows: dict[str, SourceFlow] = {}
    for path in files:
        data = json.loads(path.read_text(encoding='utf-8'))
        kind = (data.get('Metadata') or {}).get('type', 'contactFlow') if isinstance(data, dict) else None
        if kind not in CONNECT_TYPES:
            problems.append(f'{path.stem}: Metadata.type {kind!r} is not one of {", ".join(CONNECT_TYPES)} '
                            '(the flow designer sets it; it decides the flow type in Connect)')
            continue
        depends = sorted({m['name'] for m in PLACEHOLDER_RE.finditer(json.dumps(data))
                          if m['kind'] == 'contact-flow' and m['name'] != path.stem})
        flows[path.stem] = SourceFlow(path.stem, CONNECT_TYPES[kind], tuple(depends), data)
    if problems:
        raise InvalidFlowError('flows', problems)
    return _dependency_order(flows)


def render(flow: SourceFlow, targets: Targets) -> str:
    """The flow's JSON with every placeholder replaced; raises InvalidFlowError naming each one left without value."""
    problems: list[str] = []

    def replace(match: re.Match[str]) -> str:
        arn = targets.arn_for(match['kind'], match['name'])
        if arn is None:
            problems.append(f'{flow.name}: no value for {match[0]} ({_hint(match["kind"], match["name"])})')
            return match[0]
        return arn

    rendered = _map_strings(flow.data, lambda text: PLACEHOLDER_RE.sub(replace, text))
    problems += check_flow(rendered, name=flow.name)
    if problems:
        raise InvalidFlowError(flow.name, sorted(set(problems)))
    return json.dumps(rendered, indent=2, ensure_ascii=False) + '\n'


def render_all(flows: Iterable[SourceFlow], targets: Targets) -> dict[str, str]:
    """Every flow rendered (name -> JSON text), or InvalidFlowError listing the problems of all of them."""
    rendered: dict[str, str] = {}
    problems: list[str] = []
    for flow in flows:
        try:
            rendered[flow.name] = render(flow, targets)
        except InvalidFlowError as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidFlowError('flows', problems)
    return rendered


def write_all(rendered: Mapping[str, str], out_dir: Path) -> list[Path]:
    """Write ``<name>.json`` files: all to temporary files first, then renamed, so a failure leaves no half set."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, text in rendered.items():
            temporary = out_dir / f'.{name}.json.partial'
            temporary.write_text(text, encoding='utf-8')
            staged.append((temporary, out_dir / f'{name}.json'))
    except OSError:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, final in staged:
        temporary.replace(final)
    return [final for _, final in staged]


def _hint(kind: str, name: str) -> str:
    if kind == 'queue':
        return 'set the queue ARN: vce configure --connect-basic-queue-arn ARN'
    parameter = FLOW_ID_PARAMETERS.get(name)
    if kind == 'contact-flow' and parameter:
        return f'create the flow with --create-or-update, or set its id in the {parameter} parameter'
    return f'this export does not know {kind} resources named {name!r}'


def _map_strings(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, Mapping):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value


def _dependency_order(flows: Mapping[str, SourceFlow]) -> list[SourceFlow]:
    """Flows another flow refers to come first (the queue flow before the chat flow that names it)."""
    ordered: list[SourceFlow] = []
    seen: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in seen or name not in flows:
            return
        if name in trail:
            raise InvalidFlowError(name, [f'{name}: flows refer to each other in a cycle: {" -> ".join(trail)}'])
        for dependency in flows[name].depends_on:
            visit(dependency, (*trail, name))
        seen.add(name)
        ordered.append(flows[name])

    for name in sorted(flows):
        visit(name, ())
    return ordered
