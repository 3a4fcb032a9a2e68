"""The server's own IAM permissions (the ECS task role): exactly the AWS actions the running server calls.

The list is derived from the code and kept in step by a test (tests/contract/deploy/test_task_permissions.py scans
what ``backend/adapters/aws`` calls on the server's path and compares it with this table), so a new call fails the
test until it is granted here, and a removed one until it is taken away. No action is ``*``; each grant names the
resources it needs: the table and its index, the Connect instance, Chime meetings of this account and region, the
stack's own SSM hierarchy, the federation role. The operator tools (``vce configure``, ``vce doctor``, ``vce flows
export``, ``vce create-table``, ``vce agents add``) run with the operator's credentials, not with this role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from aws_cdk import aws_iam as iam

Target = Literal['table', 'instance', 'meetings', 'settings', 'federation_role', 'media_pipelines',
                 'recordings_bucket', 'recording_objects', 'recording_key']
Need = Literal['always', 'federated', 'recording']


@dataclass(frozen=True)
class Grant:
    action: str
    on: Target
    why: str
    needed: Need = 'always'


GRANTS: tuple[Grant, ...] = (
    Grant('dynamodb:GetItem', 'table', 'the store reads items (consistent reads)'),
    Grant('dynamodb:PutItem', 'table', 'the store writes items, also inside TransactWriteItems'),
    Grant('dynamodb:UpdateItem', 'table', 'counters, references and state changes, also inside transactions'),
    Grant('dynamodb:DeleteItem', 'table', 'transactions delete leases and the live-meeting item'),
    Grant('dynamodb:Query', 'table', 'transcripts, agents and the open contacts (index GSI1)'),
    Grant('connect:StartChatContact', 'instance', 'a customer starts a chat'),
    Grant('connect:DescribeContact', 'instance', 'only the assigned agent may start a contact\'s video'),
    Grant('connect:UpdateContactAttributes', 'instance', 'the video attributes on the contact'),
    Grant('connect:SearchUsers', 'instance', 'a Connect user by username (references, OIDC login)'),
    Grant('connect:DescribeUser', 'instance', 'the user\'s id, name and email'),
    Grant('connect:ListUsers', 'instance', 'OIDC login: an email that is no username'),
    Grant('chime:CreateMeetingWithAttendees', 'meetings', 'the agent starts video'),
    Grant('chime:DeleteMeeting', 'meetings', 'end for all'),
    Grant('chime:DeleteAttendee', 'meetings', 'one side leaves'),
    Grant('ssm:GetParametersByPath', 'settings', 'aws mode reads its settings at start-up'),
    Grant('sts:AssumeRole', 'federation_role', 'federated CCP login runs GetFederationToken as this role',
          needed='federated'),
    Grant('chime:CreateMediaCapturePipeline', 'media_pipelines', 'a recording starts (the meeting is its source)',
          needed='recording'),
    Grant('chime:CreateMediaConcatenationPipeline', 'media_pipelines', 'one MP4 per recording', needed='recording'),
    Grant('chime:DeleteMediaCapturePipeline', 'media_pipelines', 'a recording stops', needed='recording'),
    Grant('chime:GetMediaPipeline', 'media_pipelines', 'is the concatenated file ready', needed='recording'),
    Grant('s3:ListBucket', 'recordings_bucket', 'find the concatenated MP4; list a recording\'s files to delete',
          needed='recording'),
    Grant('s3:GetObject', 'recording_objects', 'sign the short-lived playback and download URLs; HeadObject',
          needed='recording'),
    Grant('s3:DeleteObject', 'recording_objects', 'a supervisor deletes a recording; retention', needed='recording'),
    Grant('kms:Decrypt', 'recording_key', 'the presigned URLs read KMS-encrypted objects as this role',
          needed='recording'),
)


def grants_for(*, federated: bool, recording: bool = False) -> list[Grant]:
    return [grant for grant in GRANTS if grant.needed == 'always' or (grant.needed == 'federated' and federated)
            or (grant.needed == 'recording' and recording)]


def task_policy_statements(resources: Mapping[Target, Sequence[str]], *, federated: bool, recording: bool = False
                           ) -> list[iam.PolicyStatement]:
    """One statement per target (its actions sorted), in the table's order of targets."""
    by_target: dict[Target, list[str]] = {}
    for grant in grants_for(federated=federated, recording=recording):
        by_target.setdefault(grant.on, []).append(grant.action)
    return [iam.PolicyStatement(sid=f'Vce{target.title().replace("_", "")}', actions=sorted(actions),
                                resources=list(resources[target]))
            for target, actions in by_target.items()]
