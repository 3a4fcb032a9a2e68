"""Two deployments the deploy tests synthesize once per session: a new Connect instance with agents and a created
certificate, and an existing (SAML, federated) instance with a given certificate, queue and SAML IdP.

The image comes from a registry (``from_registry``), so no synth needs Docker or copies the repository.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.app import synthesize
from deploy.config import DeployConfig, parse_config

REGION = 'eu-west-2'
ACCOUNT = '123456789012'
INSTANCE_ID = '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
INSTANCE_ARN = f'arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}'
QUEUE_ARN = f'{INSTANCE_ARN}/queue/11111111-2222-4333-8444-555555555555'
ROLE_ARN = f'arn:aws:iam::{ACCOUNT}:role/VceFederation'
IMAGE = 'registry.example.com/video-call-escalation:1.0'

NEW_INSTANCE: dict[str, Any] = {
    'stack_name': 'VceNew', 'region': REGION, 'site_domain': 'video.example.com',
    'hosted_zone_name': 'example.com', 'hosted_zone_id': 'Z0123456789ABCDEFGHIJ',
    'connect_instance': 'new', 'connect_instance_alias': 'example-bank', 'image': IMAGE,
    'agents': [{'email': 'ann+video@example.com', 'name': 'Ann Smith'}, {'email': 'bob@example.com', 'name': 'Bob'}],
    'retain_data': False, 'recording_retention_days': 30, 'recording_consent_policy': 'notify',
}
EXISTING_INSTANCE: dict[str, Any] = {
    'stack_name': 'VceExisting', 'region': REGION, 'site_domain': 'agents.example.org',
    'certificate_arn': f'arn:aws:acm:{REGION}:{ACCOUNT}:certificate/00000000-1111-4222-8333-444444444444',
    'connect_instance': INSTANCE_ARN, 'connect_instance_url': 'https://example-bank.my.connect.aws',
    'connect_queue_arn': QUEUE_ARN, 'ccp_login_mode': 'federated', 'connect_federation_role_arn': ROLE_ARN,
    'saml': {'name': 'Corporate', 'metadata_url': 'https://idp.example.org/metadata.xml'},
    'agents': [{'email': 'carol@example.org', 'name': 'Carol Jones'}], 'desired_count': 3, 'max_count': 8,
    'redis_replicas': 0, 'image': IMAGE, 'recording': False,
}


@dataclass(frozen=True)
class Synthesized:
    config: DeployConfig
    template_path: Path
    template: dict[str, Any]

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: resource for name, resource in self.template['Resources'].items() if resource['Type'] == kind}

    def one(self, kind: str) -> dict[str, Any]:
        found = list(self.resources(kind).values())
        assert len(found) == 1, (kind, len(found))
        return found[0]


def synthesized(raw: dict[str, Any], outdir: Path) -> Synthesized:
    config = parse_config(raw)
    assembly = synthesize(config, outdir)
    return Synthesized(config, assembly.template, json.loads(assembly.template.read_text()))
