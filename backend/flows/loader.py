"""Flow files on disk: one JSON file per flow, named after the flow (the file stem).

Flows refer to each other by ARN so the same files import into Amazon Connect; locally an ARN resolves to the
flow whose name is its last ``/``-separated segment, e.g. ``.../contact-flow/VideoCallEscalationQueue``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from backend.flows.model import Flow, is_json_path
from backend.flows.validation import InvalidFlowError, check_flow, parse_flow

PathLike = str | os.PathLike[str]


def flow_name_for_ref(ref: str) -> str:
    """The local flow name an ARN (or a plain name) refers to: its last ``/`` segment."""
    return ref.rstrip('/').rsplit('/', 1)[-1]


def _read_json(path: Path) -> object:
    """The parsed file; every way this can fail becomes one readable InvalidFlowError line."""
    name = path.stem
    try:
        text = path.read_text(encoding='utf-8')
    except OSError as error:
        raise InvalidFlowError(name, [f'{name}: cannot read {path}: {error.strerror or error}']) from error
    except UnicodeDecodeError as error:
        raise InvalidFlowError(name, [f'{name}: {path} is not UTF-8 text']) from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        problem = f'{name}: invalid JSON in {path} at line {error.lineno} column {error.colno}: {error.msg}'
        raise InvalidFlowError(name, [problem]) from error


def load_flow_file(path: PathLike, handled_types: Collection[str] = ()) -> Flow:
    """Read, validate and parse one flow file; raises InvalidFlowError (missing file, bad JSON, invalid flow).

    ``handled_types``: action types a registered Python handler runs (see ``backend.flows.extensions``)."""
    path = Path(path)
    return parse_flow(_read_json(path), name=path.stem, handled_types=handled_types)


def check_flow_file(path: PathLike, handled_types: Collection[str] = ()) -> list[str]:
    """Every problem with one flow file (empty list = valid); never raises for a bad file."""
    path = Path(path)
    try:
        data = _read_json(path)
    except InvalidFlowError as error:
        return list(error.problems)
    return check_flow(data, name=path.stem, handled_types=handled_types)


def _reference_problems(flows: Iterable[Flow], known_names: Iterable[str]) -> list[str]:
    """Static customer-queue-flow references that name no known flow (dynamic ones are only known at run time)."""
    known = sorted(set(known_names))
    problems = []
    for flow in flows:
        for action in flow.actions_of_type('UpdateContactEventHooks'):
            ref = action.parameters['EventHooks'].get('CustomerQueue')
            if ref is None or is_json_path(ref) or flow_name_for_ref(ref) in known:
                continue
            problems.append(
                f'{flow.name}: action {action.identifier!r} ({action.type}): customer queue flow {ref!r} '
                f'is not in the flow library (known flows: {", ".join(known) or "none"})'
            )
    return problems


def check_flow_files(paths: Iterable[PathLike], handled_types: Collection[str] = ()) -> list[str]:
    """Like :func:`check_flow_file` for several files, plus cross-flow references among them (for the CLI)."""
    files = [Path(path) for path in paths]
    problems: list[str] = []
    flows: list[Flow] = []
    for path in files:
        try:
            flows.append(load_flow_file(path, handled_types))
        except InvalidFlowError as error:
            problems.extend(error.problems)
    return problems + _reference_problems(flows, (path.stem for path in files))


class FlowLibrary:
    """All flows the engine can run, looked up by name or ARN."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self._flows = MappingProxyType(dict(flows))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._flows))

    def get(self, ref: str) -> Flow:
        """The flow a name or ARN refers to; KeyError if there is none."""
        name = flow_name_for_ref(ref)
        if name not in self._flows:
            raise KeyError(f'no flow {name!r} (from {ref!r}); known flows: {", ".join(self.names) or "none"}')
        return self._flows[name]

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and flow_name_for_ref(ref) in self._flows

    def __iter__(self) -> Iterator[Flow]:
        return iter(self._flows[name] for name in self.names)

    def __len__(self) -> int:
        return len(self._flows)


def load_flow_library(directory: PathLike, handled_types: Collection[str] = ()) -> FlowLibrary:
    """Load every ``*.json`` in ``directory`` (flows and flow modules alike); raises InvalidFlowError listing the
    problems of all files."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InvalidFlowError(directory.name, [f'{directory}: not a directory of flow files'])
    paths = sorted(directory.glob('*.json'))
    problems: list[str] = []
    flows: dict[str, Flow] = {}
    for path in paths:
        try:
            flows[path.stem] = load_flow_file(path, handled_types)
        except InvalidFlowError as error:
            problems.extend(error.problems)
    problems += _reference_problems(flows.values(), (path.stem for path in paths))
    if problems:
        raise InvalidFlowError(directory.name, problems)
    return FlowLibrary(flows)
