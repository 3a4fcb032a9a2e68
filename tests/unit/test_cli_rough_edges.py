"""The command line as a newcomer meets it: a taken port refused before any URL is printed, `vce demo --fresh`, help
that never cuts an option's name, and the example entry point behaving like `vce demo`."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.settings import Settings
from vce import cli
from vce.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv('VCE_DATA_DIR', str(tmp_path / 'data'))


def test_a_taken_port_is_refused_before_any_url_is_printed():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ['demo', '--port', str(port)])
    assert result.exit_code == 2
    assert f'Refusing to start: port {port} on 127.0.0.1 is taken' in result.output and '--port' in result.output
    assert 'Customer website' not in result.output and 'Agent login' not in result.output


def test_fresh_starts_the_demo_from_an_empty_database(monkeypatch):
    served: list[Settings] = []
    monkeypatch.setattr(cli, '_serve', lambda settings, extensions=None: served.append(settings))
    assert runner.invoke(app, ['agents', 'add', 'ann', '--name', 'Ann'], input='s3cret-pass\ns3cret-pass\n'
                         ).exit_code == 0
    kept = runner.invoke(app, ['demo', '--port', str(free_port())])
    assert kept.exit_code == 0, kept.output
    assert 'ann' in runner.invoke(app, ['agents', 'list']).output  # without --fresh the old data stays
    fresh = runner.invoke(app, ['demo', '--port', str(free_port()), '--fresh'])
    assert fresh.exit_code == 0, fresh.output
    assert 'Started afresh: removed vce.sqlite3' in fresh.output
    assert 'Agent login:      demo / demo-agent-pass' in fresh.output
    listing = runner.invoke(app, ['agents', 'list']).output
    assert 'demo' in listing and 'ann' not in listing  # only the demo agent, made again
    assert len(served) == 2


@pytest.mark.parametrize('command', [['configure', '--help'], ['doctor', '--help'], ['agents', 'add', '--help'],
                                     ['deploy', '--help']])
def test_help_never_cuts_an_option_name_at_80_columns(command, monkeypatch):
    monkeypatch.setenv('COLUMNS', '80')
    result = runner.invoke(app, command, terminal_width=80)
    assert result.exit_code == 0, result.output
    assert '…' not in result.output
    if command[0] == 'configure':
        assert '--connect-default-contact-flow-id' in result.output


def test_doctor_lists_its_checks_without_folding_words_on_a_narrow_terminal(monkeypatch, capsys):
    from backend import bootstrap
    from backend.adapters.aws.doctor.result import CheckResult
    from vce import doctor_cmd

    fix = 'vce configure --connect-default-contact-flow-id 0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
    monkeypatch.setattr(doctor_cmd.aws_access, 'configured_values', lambda *args: ({}, []))
    monkeypatch.setattr(bootstrap, 'doctor_checks', lambda *args: [
        CheckResult.fail('chat flow', 'connectDefaultContactFlowId is not configured', fix),
        CheckResult.ok('region', 'eu-west-2')])
    monkeypatch.setenv('COLUMNS', '80')
    assert doctor_cmd.run_checks('eu-west-2', '/VideoCallEscalation/') is False
    out = capsys.readouterr().out
    assert fix in out and 'connectDefaultContactFlowId is not configured' in out and '✔ ok  region' in out


def test_the_customer_360_example_starts_like_vce_demo(tmp_path):
    port = free_port()
    code = ('import vce.cli, examples.customer_360 as example\n'
            'def serve(settings, extensions=None):\n'
            '    print("served with", [panel.title for panel in extensions.contact_panels])\n'
            'vce.cli._serve = serve\n'
            f'vce.cli.start_demo(port={port}, extensions=example.extensions)\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={'PATH': '/usr/bin:/bin', 'VCE_DATA_DIR': str(tmp_path / 'data')}, check=True).stdout
    assert f'Customer website: http://127.0.0.1:{port}/' in out and 'Agent login:      demo / demo-agent-pass' in out
    assert "served with ['Customer 360']" in out
