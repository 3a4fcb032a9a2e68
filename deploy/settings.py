"""What the server reads in aws mode, and from where (docs/aws/deploy.md, "Settings").

- The values of the parameter tree (``backend/settings/parameters.py``) go to the stack's own SSM hierarchy as
  plain String parameters, exactly where ``vce configure`` would put them, so the server reads them as it always
  does, ``vce doctor`` and ``vce configure --show`` see what was built, and an operator can change one value without
  a deploy. Names come from the tree, so the stack cannot write a parameter the product does not know.
- The secrets (storage, reference, OIDC client) never enter the template or SSM: Secrets Manager holds them and ECS
  injects them as ``VCE_*`` variables (which win over SSM).
- The environment holds only what is not in the tree: the mode, region and hierarchy (needed before SSM can be
  read), the process's listen address, JSON logs, the trusted proxies, the Cognito sign-out URL, the Redis URLs and
  recording's consent policy and retention.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from backend.settings.parameters import BY_NAME
from deploy.config import DeployConfig

CONTAINER_PORT = 8080


def write_parameters(scope: Construct, path: str, values: Mapping[str, str]) -> dict[str, ssm.StringParameter]:
    """One String parameter per value, under ``path``; a name outside the parameter tree is refused."""
    unknown = sorted(set(values) - set(BY_NAME))
    if unknown:
        raise ValueError(f'not parameters of the product: {", ".join(unknown)}')
    secret = sorted(name for name in values if BY_NAME[name].secret)
    if secret:
        raise ValueError(f'secrets belong in Secrets Manager, not in SSM: {", ".join(secret)}')
    return {name: ssm.StringParameter(scope, f'Setting{name[0].upper()}{name[1:]}', parameter_name=path + name,
                                      string_value=value, description=BY_NAME[name].help[:1000])
            for name, value in values.items()}


def process_environment(*, region: str, ssm_path: str, trusted_proxies: str, logout_url: str, redis_url: str
                        ) -> dict[str, str]:
    return {
        'VCE_MODE': 'aws',
        'VCE_AWS_REGION': region,
        'VCE_SSM_PATH': ssm_path,
        'VCE_HOST': '0.0.0.0',  # inside the task; only the load balancer's security group may reach it
        'VCE_PORT': str(CONTAINER_PORT),
        'VCE_LOG_FORMAT': 'json',
        'VCE_TRUSTED_PROXIES': trusted_proxies,
        'VCE_OIDC_LOGOUT_URL': logout_url,
        'VCE_REDIS_URL': redis_url,
        'NICEGUI_REDIS_URL': redis_url,
    }


def recording_environment(config: DeployConfig) -> dict[str, str]:
    """Recording's settings that are not in the parameter tree (the bucket is: ``recordingBucket``): the consent
    policy and the retention the server's sweep applies to the metadata (the bucket's lifecycle, to the files)."""
    if not config.recording:
        return {}
    return {'VCE_RECORDING_CONSENT_POLICY': config.recording_consent_policy,
            'VCE_RECORDING_RETENTION_DAYS': str(config.recording_retention_days)}
