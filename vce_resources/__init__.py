"""Where the files the runtime needs besides code are: the contact flows and the browser assets (the vendored Chime SDK
and Connect Streams bundles, the ring tone).

Developers keep them in the checkout's top-level folders ``contact_flows/`` and ``assets/``; the build (``setup.py``)
puts the same folders into the wheel beside this file. So one lookup serves both: beside this package in an installed
wheel, one folder up in a checkout (an editable install included). Nothing depends on the current folder.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = 'assets'
CONTACT_FLOWS = 'contact_flows'


def assets_dir() -> Path:
    """The folder served at ``/assets``."""
    return resource_dir(ASSETS)


def contact_flows_dir() -> Path:
    """The shipped flow files: the local engine's default ``VCE_FLOWS_DIR`` and ``vce flows export``'s source."""
    return resource_dir(CONTACT_FLOWS)


def resource_dir(name: str) -> Path:
    """``name`` beside this package (a wheel), else in the checkout that holds this package (the folder with
    pyproject.toml); a clear error when neither has it (a wheel built without its data)."""
    checkout = HERE.parent if (HERE.parent / 'pyproject.toml').is_file() else None
    for candidate in (HERE / name, *([checkout / name] if checkout else [])):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f'the {name}/ folder is missing: looked in {HERE} and {HERE.parent}; reinstall '
                            'video-call-escalation (its wheel carries it) or run from a full checkout')
