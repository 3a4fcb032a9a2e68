"""The runtime finds its flows and browser assets through vce_resources, never from the current folder: beside the
package in an installed wheel, in the checkout otherwise (the wheel itself: tests/package/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import vce_resources
from backend.settings import PROJECT_ROOT, Settings
from vce_resources import assets_dir, contact_flows_dir


def test_a_checkout_serves_its_own_top_level_folders():
    assert assets_dir() == PROJECT_ROOT / 'assets'
    assert contact_flows_dir() == PROJECT_ROOT / 'contact_flows'
    assert (assets_dir() / 'vendor' / 'amazon-chime-sdk' / 'chime-sdk.min.js').is_file()
    assert (assets_dir() / 'vendor' / 'amazon-connect-streams' / 'connect-streams.min.js').is_file()
    assert (assets_dir() / 'audio' / 'ring.wav').is_file()


def test_the_flows_default_is_the_shipped_folder_wherever_the_command_starts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('VCE_FLOWS_DIR', raising=False)
    assert Settings(demo=True).flows_dir == contact_flows_dir()
    names = {path.stem for path in contact_flows_dir().glob('*.json')}
    assert {'VideoCallEscalationChat', 'VideoCallEscalationQueue', 'VideoCallEscalationVoice',
            'VideoCallEscalationVoiceQueue'} <= names


def _package_copy(root: Path) -> Path:
    """A copy of the vce_resources package at ``root``; returns its module file."""
    package = root / 'vce_resources'
    package.mkdir(parents=True)
    shutil.copy(Path(vce_resources.__file__), package / '__init__.py')
    return package


@pytest.fixture
def located_at(monkeypatch):
    def locate(package: Path) -> None:
        monkeypatch.setattr(vce_resources, 'HERE', package)
    return locate


def test_an_installed_wheel_finds_the_folders_beside_the_package(tmp_path, located_at):
    package = _package_copy(tmp_path / 'site-packages')
    (package / 'contact_flows').mkdir()
    (package / 'assets').mkdir()
    located_at(package)
    assert contact_flows_dir() == package / 'contact_flows'
    assert assets_dir() == package / 'assets'


def test_outside_a_checkout_a_neighbouring_folder_is_not_taken(tmp_path, located_at):
    """site-packages may hold another project's ``assets/``: only a checkout's (with pyproject.toml) counts."""
    package = _package_copy(tmp_path / 'site-packages')
    (tmp_path / 'site-packages' / 'assets').mkdir()
    located_at(package)
    with pytest.raises(FileNotFoundError, match=r'the assets/ folder is missing.*reinstall video-call-escalation'):
        assets_dir()


def test_a_checkout_layout_is_found_one_folder_up(tmp_path, located_at):
    package = _package_copy(tmp_path / 'checkout')
    (tmp_path / 'checkout' / 'pyproject.toml').write_text('[project]\n')
    (tmp_path / 'checkout' / 'contact_flows').mkdir()
    located_at(package)
    assert contact_flows_dir() == tmp_path / 'checkout' / 'contact_flows'


def test_the_build_maps_both_folders_and_their_runtime_files_into_the_package():
    """setup.py maps the folders; pyproject's package-data says which files go (tests/package/ builds the wheel)."""
    import tomllib

    setup_text = (PROJECT_ROOT / 'setup.py').read_text()
    for package, folder in (('vce_resources.assets', 'assets'), ('vce_resources.contact_flows', 'contact_flows')):
        assert f"'{package}': '{folder}'" in setup_text
    package_data = tomllib.loads((PROJECT_ROOT / 'pyproject.toml').read_text())['tool']['setuptools']['package-data']
    assert package_data['vce_resources.assets.vendor'] == ['*/*']
    assert package_data['vce_resources.assets.audio'] == ['*.wav']
    assert '*.json' in package_data['vce_resources.contact_flows']
    assert json.loads((contact_flows_dir() / 'VideoCallEscalationChat.json').read_text())['Version'] == '2019-10-30'
