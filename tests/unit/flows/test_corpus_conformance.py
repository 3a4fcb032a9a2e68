"""Conformance: the validator and the engine over the real-world flows in ../shared/flow-corpus, against the
verdicts in corpus_verdicts.py (justified there by the flow-language documentation). The corpus stays read-only."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from backend.flows import check_flow_file
from backend.settings import PROJECT_ROOT
from tests.unit.flows.corpus_runner import run_customer, stub_extensions
from tests.unit.flows.corpus_verdicts import VERDICTS

CORPUS = PROJECT_ROOT.parent / 'shared' / 'flow-corpus'
REASON_RE = re.compile(r'\((\w+)\): (\w+) (runs only in Amazon Connect|cannot run offline): \S')


def corpus() -> Path:
    """The corpus; CI has it beside the checkout, so there a missing corpus fails instead of skipping."""
    if not CORPUS.is_dir():
        if os.environ.get('CI'):
            pytest.fail(f'the flow corpus is missing: {CORPUS} (CI lays ../shared beside the checkout)')
        pytest.skip(f'no flow corpus at {CORPUS}')
    return CORPUS


def test_every_corpus_file_has_a_verdict() -> None:
    files = sorted(path.stem for path in corpus().glob('*.json'))
    assert files == sorted(VERDICTS)


@pytest.mark.parametrize('name', sorted(VERDICTS))
def test_the_validator_gives_the_documented_verdict(name: str) -> None:
    expected = VERDICTS[name]
    problems = check_flow_file(corpus() / f'{name}.json')
    if expected.verdict == 'accepted':
        assert problems == []
        return
    if expected.verdict == 'invalid':
        assert len(problems) == 1 and 'invalid JSON' in problems[0]
        return
    named = set()
    for problem in problems:  # every problem is one of the documented reasons, each naming the action and type
        match = REASON_RE.search(problem)
        assert match, problem
        assert problem.startswith(f"{name}: action '")
        named.add(match.group(2))
        kind = 'connect' if match.group(3) == 'runs only in Amazon Connect' else 'handler'
        assert kind == ('handler' if match.group(2) in ('ConnectParticipantWithLexBot', 'ShowView') else 'connect')
    assert named == expected.types


@pytest.mark.parametrize('name', sorted(name for name, v in VERDICTS.items() if v.verdict == 'handler'))
def test_cloud_only_actions_are_accepted_once_a_handler_is_registered(name: str) -> None:
    assert check_flow_file(corpus() / f'{name}.json', stub_extensions().handled_types) == []


@pytest.mark.parametrize('name', sorted(name for name, v in VERDICTS.items() if v.run is not None))
async def test_a_customer_runs_through_every_flow_the_engine_accepts(name: str) -> None:
    run = VERDICTS[name].run
    assert run is not None
    report = await run_customer(corpus() / f'{name}.json', role=run.role, channel=run.channel, answers=run.answers,
                                extensions=stub_extensions())
    assert (report.state, report.end_reason) == (run.state, run.end_reason), report
    assert all(message.strip() for message in report.messages)  # no empty system message, ever
    if run.first:
        assert report.messages and report.messages[0].startswith(run.first), report.messages
    else:
        assert report.messages == (), report.messages
    assert report.inputs_asked >= len(run.answers)
