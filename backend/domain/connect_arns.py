"""Amazon Connect ARNs and ids, parsed in one place.

The settings' checks, ``vce doctor``, ``vce flows export`` and the Connect adapters all need the instance id, the
account or the queue id out of an ARN; they use these functions, so an ARN means the same thing everywhere.
The grammar (partition, region, account, UUID) is also what the settings check region codes and ids with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.domain.errors import InvalidInput

PARTITION = r'aws(?:-cn|-us-gov)?'
REGION = r'[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}'
ACCOUNT = r'\d{12}'
UUID = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

_INSTANCE = (rf'(?P<instance_arn>arn:(?P<partition>{PARTITION}):connect:(?P<region>{REGION}):'
             rf'(?P<account>{ACCOUNT}):instance/(?P<instance_id>{UUID}))')
INSTANCE_ARN_RE = re.compile(_INSTANCE)
QUEUE_ARN_RE = re.compile(rf'{_INSTANCE}/queue/(?P<queue_id>{UUID})')
FLOW_ARN_RE = re.compile(rf'{_INSTANCE}/contact-flow/(?P<flow_id>{UUID})')
ROUTING_PROFILE_ARN_RE = re.compile(rf'{_INSTANCE}/routing-profile/(?P<resource_id>{UUID})')
SECURITY_PROFILE_ARN_RE = re.compile(rf'{_INSTANCE}/security-profile/(?P<resource_id>{UUID})')


@dataclass(frozen=True)
class InstanceArn:
    """The parts of an Amazon Connect instance ARN (flows export and doctor need the account and the id)."""

    arn: str
    partition: str
    region: str
    account: str
    instance_id: str


@dataclass(frozen=True)
class QueueArn:
    """A queue ARN: the queue's id and the instance it belongs to."""

    arn: str
    instance: InstanceArn
    queue_id: str


def parse_instance_arn(value: str) -> InstanceArn:
    match = INSTANCE_ARN_RE.fullmatch(value.strip())
    if not match:
        raise InvalidInput(f'{value!r} is not an Amazon Connect instance ARN; it looks like '
                           'arn:aws:connect:REGION:123456789012:instance/INSTANCE-UUID (Connect console → your '
                           'instance → Overview → Instance ARN)')
    return _instance(match)


def parse_queue_arn(value: str) -> QueueArn:
    match = QUEUE_ARN_RE.fullmatch(value.strip())
    if not match:
        raise InvalidInput(f'{value!r} is not an Amazon Connect queue ARN; it looks like '
                           'arn:aws:connect:REGION:123456789012:instance/INSTANCE-UUID/queue/QUEUE-UUID (Connect '
                           'console → Routing → Queues → the queue → "Show additional queue information")')
    return QueueArn(match.group(0), _instance(match), match['queue_id'])


@dataclass(frozen=True)
class InstanceResourceArn:
    """An ARN of a resource inside an instance (a routing or security profile): its id and its instance."""

    arn: str
    instance: InstanceArn
    resource_id: str


def parse_routing_profile_arn(value: str) -> InstanceResourceArn:
    return _instance_resource(ROUTING_PROFILE_ARN_RE, value, 'routing profile', 'routing-profile',
                              'Users → Routing profiles')


def parse_security_profile_arn(value: str) -> InstanceResourceArn:
    return _instance_resource(SECURITY_PROFILE_ARN_RE, value, 'security profile', 'security-profile',
                              'Users → Security profiles')


def instance_id_of(value: str) -> str:
    """The id Connect's APIs take as ``InstanceId``: an instance ARN gives the id inside it, anything else is taken
    to be the id already."""
    match = INSTANCE_ARN_RE.fullmatch(value.strip())
    return match['instance_id'] if match else value


def flow_id_of(value: str) -> str:
    """The id Connect's APIs take as ``ContactFlowId``: a flow ARN gives the id inside it, anything else is taken to
    be the id already."""
    match = FLOW_ARN_RE.fullmatch(value.strip())
    return match['flow_id'] if match else value


def _instance_resource(pattern: re.Pattern[str], value: str, what: str, kind: str, where: str
                       ) -> InstanceResourceArn:
    match = pattern.fullmatch(value.strip())
    if not match:
        raise InvalidInput(f'{value!r} is not an Amazon Connect {what} ARN; it looks like '
                           f'arn:aws:connect:REGION:123456789012:instance/INSTANCE-UUID/{kind}/UUID (Connect '
                           f'console → {where}; `vce deploy` stores the ones it makes)')
    return InstanceResourceArn(match.group(0), _instance(match), match['resource_id'])


def _instance(match: re.Match[str]) -> InstanceArn:
    return InstanceArn(match['instance_arn'], match['partition'], match['region'], match['account'],
                       match['instance_id'])
