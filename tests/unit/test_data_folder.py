"""Local mode's data folder never depends on the current folder: the platform's per-user data folder by default,
VCE_DATA_DIR when set (a relative value from the folder the command starts in, made absolute), and every command
that opens it says which folder it is (backend/settings/data_folder.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.settings import Settings
from vce.cli import app

runner = CliRunner()


@pytest.fixture
def platform_default(tmp_path, monkeypatch) -> Path:
    """No VCE_DATA_DIR; the platform's data folder (XDG_DATA_HOME on Linux) in the test's folder."""
    monkeypatch.delenv('VCE_DATA_DIR', raising=False)
    monkeypatch.setenv('XDG_DATA_HOME', str(tmp_path / 'xdg'))
    return tmp_path / 'xdg' / 'video-call-escalation'


@pytest.mark.skipif(not Path('/proc').is_dir(), reason='XDG_DATA_HOME is the Linux platform folder')
def test_the_default_is_the_users_data_folder_from_any_folder(platform_default, tmp_path, monkeypatch):
    for folder in (tmp_path / 'one', tmp_path / 'one' / 'sub'):
        folder.mkdir(parents=True)
        monkeypatch.chdir(folder)
        settings = Settings(demo=True)
        assert settings.data_dir == platform_default
        assert settings.database_path == platform_default / 'vce.sqlite3'
        assert not settings.data_dir_from_setting


def test_a_relative_setting_is_taken_from_the_starting_folder_and_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('VCE_DATA_DIR', 'state/vce')
    settings = Settings(demo=True)
    assert settings.data_dir == tmp_path / 'state' / 'vce'
    assert settings.data_dir.is_absolute() and settings.data_dir_from_setting
    assert Settings(demo=True, data_dir='~/vce-data').data_dir == Path.home() / 'vce-data'
    assert Settings(demo=True, data_dir=tmp_path / 'abs').data_dir == tmp_path / 'abs'


@pytest.mark.skipif(not Path('/proc').is_dir(), reason='XDG_DATA_HOME is the Linux platform folder')
def test_agents_made_in_one_folder_are_listed_from_another(platform_default, tmp_path, monkeypatch):
    """The issue's case: `vce agents list` from a subfolder used to open an empty database silently."""
    monkeypatch.setenv('VCE_NEW_AGENT_PASSWORD', 'long enough password')
    monkeypatch.chdir(tmp_path)
    added = runner.invoke(app, ['agents', 'add', 'ann', '--name', 'Ann Smith'])
    assert added.exit_code == 0, added.output
    (tmp_path / 'elsewhere').mkdir()
    monkeypatch.chdir(tmp_path / 'elsewhere')
    listed = runner.invoke(app, ['agents', 'list'])
    assert listed.exit_code == 0 and 'Ann Smith' in listed.stdout
    assert listed.stderr == f'Data folder: {platform_default} (the default; set VCE_DATA_DIR to use another)\n'
    assert (platform_default / 'vce.sqlite3').is_file()


def test_the_agents_commands_name_the_folder_from_the_setting_on_stderr(tmp_path, monkeypatch):
    monkeypatch.setenv('VCE_DATA_DIR', str(tmp_path / 'data'))
    listed = runner.invoke(app, ['agents', 'list'])
    assert listed.exit_code == 0
    assert listed.stderr == f'Data folder: {tmp_path / "data"} (VCE_DATA_DIR)\n'
    assert 'Data folder' not in listed.stdout  # the output stays the list


def test_the_demo_banner_and_the_server_log_name_the_folder(tmp_path, monkeypatch, caplog):
    import logging

    monkeypatch.setenv('VCE_DATA_DIR', str(tmp_path / 'data'))
    served = []
    monkeypatch.setattr('vce.cli._serve', lambda settings, extensions=None: served.append(settings))
    result = runner.invoke(app, ['demo', '--port', '8099'])
    assert result.exit_code == 0, result.output
    assert f'  Data folder:      {tmp_path / "data"} (VCE_DATA_DIR)\n' in result.stdout
    assert result.stderr == ''
    caplog.set_level(logging.INFO, logger='vce')
    monkeypatch.setattr('vce.web.build_services', lambda settings: object())
    monkeypatch.setattr('vce.web.create_app', lambda services, extensions: None)
    monkeypatch.setattr('vce.web.ui.run', lambda **options: None)
    from vce.web import run

    run(served[0])
    assert f'server.starting mode=local data={tmp_path / "data"} (VCE_DATA_DIR)' in caplog.messages
