"""Real-world flows against the flow validator and the local engine: ``../shared/flow-corpus`` (or ``--corpus``).

    .venv/bin/python -m benchmarks.flow_corpus [--corpus DIR] [--runs 5] [--json flow_corpus.json]

Prints, for the corpus' files:

* files accepted / refused by ``vce flows check``'s rules (each file on its own), with every refusal reason;
* the share of the corpus' actions whose type the engine runs (``SUPPORTED_ACTION_TYPES``), and with a Python
  handler registered for the cloud-only types (Lex bots, views);
* runs per file: ``--runs`` customers through each file the engine accepts (with stub handlers, for the Lex and view
  flows too), in the role its verdict gives (corpus_verdicts.py), and where each ended, with the time per run.

Everything runs in this process on in-memory SQLite; flows' timeouts pass at once for the first waits (the
conformance runner's fake clock), so times measure the engine, not the flows' waits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from backend.flows import check_flow_file
from backend.flows.action_specs import HANDLER_ACTION_TYPES, SUPPORTED_ACTION_TYPES
from backend.settings import PROJECT_ROOT
from tests.unit.flows.corpus_runner import run_customer, stub_extensions
from tests.unit.flows.corpus_verdicts import VERDICTS

REASON_RE = re.compile(r'^[^:]+: (?:action [^(]*\((\w+)\): )?(.*)$')


def action_types(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding='utf-8'))
    except ValueError:
        return []
    return [str(action.get('Type')) for action in data.get('Actions', []) if isinstance(action, dict)]


def reason_of(problem: str) -> str:
    match = REASON_RE.match(problem)
    text = match.group(2) if match else problem
    return re.sub(r' in \S+/flow-corpus/\S+', '', text)[:140]


async def runs(path: Path, count: int) -> dict[str, Any]:
    verdict = VERDICTS.get(path.stem)
    if verdict is None or verdict.run is None:
        return {}
    spec, outcomes, seconds = verdict.run, Counter[str](), []
    for _ in range(count):
        started = time.perf_counter()
        report = await run_customer(path, role=spec.role, channel=spec.channel, answers=spec.answers,
                                    extensions=stub_extensions())
        seconds.append(time.perf_counter() - started)
        outcomes[f'{report.state}/{report.end_reason or "-"}'] += 1
    return {'role': spec.role, 'channel': spec.channel, 'runs': count, 'outcomes': dict(outcomes),
            'ms_per_run': round(1000 * sum(seconds) / len(seconds), 2)}


async def measure(corpus: Path, count: int) -> dict[str, Any]:
    files = sorted(corpus.glob('*.json'))
    verdicts: dict[str, Any] = {}
    reasons: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for path in files:
        problems = check_flow_file(path)
        with_handlers = check_flow_file(path, stub_extensions().handled_types)
        types.update(action_types(path))
        for problem in problems:
            reasons[reason_of(problem)] += 1
        verdicts[path.stem] = {'accepted': not problems, 'accepted_with_handlers': not with_handlers,
                               'problems': [reason_of(p) for p in problems], **await runs(path, count)}
    total = sum(types.values())
    engine = sum(n for name, n in types.items() if name in SUPPORTED_ACTION_TYPES)
    handled = engine + sum(n for name, n in types.items() if name in HANDLER_ACTION_TYPES)
    return {'files': len(files), 'accepted': sum(v['accepted'] for v in verdicts.values()),
            'accepted_with_handlers': sum(v['accepted_with_handlers'] for v in verdicts.values()),
            'actions': total, 'engine_supported_actions': engine, 'with_handlers_actions': handled,
            'unsupported_types': {name: n for name, n in types.most_common()
                                  if name not in SUPPORTED_ACTION_TYPES},
            'reasons': dict(reasons.most_common()), 'per_file': verdicts}


def report(result: dict[str, Any]) -> None:
    files, accepted = result['files'], result['accepted']
    print(f'files: {files}; accepted {accepted}, refused {files - accepted} '
          f'(with Lex/view handlers registered: accepted {result["accepted_with_handlers"]})')
    print('refusal reasons (problem lines):')
    for reason, count in result['reasons'].items():
        print(f'  {count:3} x {reason}')
    total = result['actions']
    print(f'actions: {total}; of a type the engine runs: {result["engine_supported_actions"]} '
          f'({100 * result["engine_supported_actions"] / total:.1f} %); with handlers: '
          f'{result["with_handlers_actions"]} ({100 * result["with_handlers_actions"] / total:.1f} %)')
    print('types the engine does not run: ' + ', '.join(f'{name} {n}' for name, n in
                                                         result['unsupported_types'].items()))
    print('runs per file:')
    for name, verdict in result['per_file'].items():
        if 'runs' in verdict:
            outcomes = ', '.join(f'{outcome} x{n}' for outcome, n in verdict['outcomes'].items())
            print(f'  {name:42} {verdict["role"]:7} {verdict["channel"]:5} {verdict["runs"]} runs: {outcomes}; '
                  f'{verdict["ms_per_run"]} ms/run')
        else:
            print(f'  {name:42} not run: {verdict["problems"][0] if verdict["problems"] else "?"}')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--corpus', type=Path, default=PROJECT_ROOT.parent / 'shared' / 'flow-corpus')
    parser.add_argument('--runs', type=int, default=5, help='customers per accepted file (1-100)')
    parser.add_argument('--json', type=Path, help='also write the figures to this file')
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f'no flow corpus at {args.corpus}', file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.CRITICAL)  # the corpus' error branches log at ERROR by design
    result = asyncio.run(measure(args.corpus, max(1, min(args.runs, 100))))
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + '\n', encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main())
