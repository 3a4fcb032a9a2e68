"""Fixtures shared by the contract tests."""

from tests.contract.aws_config_fixtures import aws_env, moto  # noqa: F401  (fixtures: fake credentials, moto)
