"""aws mode's settings: SSM Parameter Store values as a pydantic-settings source, below environment variables.

Order of precedence (highest first): explicit arguments, ``VCE_*`` environment variables, ``.env``, SSM, defaults.
Before the settings are built, every value is checked (each with its Settings field's check) and every missing
required value is collected, so one start-up error lists all there is to fix. The values come in already read:
reading SSM is the aws adapter's job (``backend/adapters/aws/ssm_parameters.py``), wired by ``backend.bootstrap``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, DotEnvSettingsSource, EnvSettingsSource, PydanticBaseSettingsSource

from backend.settings.app_settings import Settings
from backend.settings.parameters import (
    BY_NAME,
    BY_SETTING,
    PARAMETERS,
    InvalidValues,
    MissingConfiguration,
    clean,
    consistency_problems,
    is_active,
    missing_required,
)

log = logging.getLogger('vce.aws.settings')


class SsmSettingsSource(PydanticBaseSettingsSource):
    """Settings values read from the SSM hierarchy (already fetched and checked), keyed by setting name."""

    def __init__(self, settings_cls: type[BaseSettings], values: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._values = {BY_NAME[name].setting: value for name, value in values.items()
                        if name in BY_NAME and BY_NAME[name].setting in settings_cls.model_fields}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def settings_class_with(values: Mapping[str, str]) -> type[Settings]:
    """A Settings subclass whose sources are: arguments, environment, .env, then these SSM values."""

    class SsmBackedSettings(Settings):
        @classmethod
        def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                       env_settings: PydanticBaseSettingsSource,
                                       dotenv_settings: PydanticBaseSettingsSource,
                                       file_secret_settings: PydanticBaseSettingsSource,
                                       ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, dotenv_settings, SsmSettingsSource(settings_cls, values),
                    file_secret_settings)

    return SsmBackedSettings


def configured_values(stored: Mapping[str, str], path: str, region: str, **overrides: Any
                      ) -> tuple[dict[str, str], list[str]]:
    """The parameter values in force (``stored`` in SSM, overlaid by the environment) and every problem with them.

    Tools that work on a partial configuration (doctor, flows export) use this as it is; start-up needs it complete.
    """
    stored = {name: value for name, value in stored.items() if name in BY_NAME}
    outside = _values_from_environment(overrides)
    problems = _problems(stored, f'stored in SSM under {path}') + _problems(outside, 'set in the environment')
    merged = {**stored, **outside}
    if not problems:
        problems = consistency_problems(merged, region)
    return merged, problems


def settings_from_ssm(stored: Mapping[str, str], path: str, region: str, **overrides: Any) -> Settings:
    """aws mode's Settings from the values stored under ``path``, checked together with the environment.

    Raises MissingConfiguration (every missing required value) or InvalidValues (every bad value, saying where it
    came from).
    """
    merged, problems = configured_values(stored, path, region, **overrides)
    if problems:
        raise InvalidValues(problems)
    missing = missing_required(merged)
    if missing:
        raise MissingConfiguration(missing, path)
    # The tree's defaults apply in aws mode (e.g. agentLoginMode oidc), even where Settings' local defaults differ.
    defaults = {p.name: p.default for p in PARAMETERS if p.default and is_active(p, merged) and p.name not in merged}
    try:
        settings = settings_class_with({**defaults, **merged})(**{**overrides, 'mode': 'aws'})
    except ValidationError as error:
        raise InvalidValues([f'{".".join(map(str, e["loc"]))}: {e["msg"]}' for e in error.errors()]) from None
    log.info('settings.loaded_from_ssm path=%s parameters=%d', path, len(merged))
    return settings


def _values_from_environment(overrides: Mapping[str, Any]) -> dict[str, str]:
    """Parameter values given outside SSM (arguments, VCE_* variables, .env), keyed by parameter name."""
    given: dict[str, Any] = {}
    given.update(DotEnvSettingsSource(Settings)())
    given.update(EnvSettingsSource(Settings)())
    given.update(overrides)
    return {BY_SETTING[setting].name: _plain(value) for setting, value in given.items() if setting in BY_SETTING}


def _plain(value: Any) -> str:
    get_secret = getattr(value, 'get_secret_value', None)
    return str(get_secret() if get_secret else value)


def _problems(values: Mapping[str, str], where: str) -> list[str]:
    try:
        clean(values)
    except InvalidValues as error:
        return [f'{problem} ({where})' for problem in error.problems]
    return []
