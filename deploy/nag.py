"""cdk-nag's AwsSolutions pack as a gate on every synth, and the findings we accept, each with its reason.

cdk-nag 3.x registers as a validation plugin: an unacknowledged error makes ``app.synth()`` raise, so a new
finding stops ``vce deploy`` and the tests until it is fixed or acknowledged here, on the narrowest construct,
with the reason. The tests assert what each acknowledgment relies on (see the reasons).
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

from deploy.stack import VideoCallEscalationStack

PACK = 'AwsSolutions::AwsSolutions'
WILDCARDS_BELOW_RESOURCES = (
    'Each wildcard stands below one named resource, for ids made at run time: the table\'s indexes, the Connect '
    'instance\'s own contacts and users, and Chime meetings of this account and region. No action is a wildcard; '
    'a test checks the actions against the code.')
LAMBDA_LOGS_POLICY = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'


def register_checks(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge_accepted(stack: VideoCallEscalationStack) -> None:
    web = stack.web.pattern
    accepted: list[tuple[IConstruct, str, str]] = [
        (stack, 'SMG4', 'No rotation function: the storage secret signs every session cookie and the reference '
         'secret keys every live reference, so rotating either signs agents out and voids references; rotate by '
         'deploying new values at a quiet hour. The OIDC client secret is Cognito\'s own (Cognito cannot rotate '
         'it through Secrets Manager) and the agents\' first Connect passwords are changed at first sign-in.'),
        (stack, f'IAM4[{LAMBDA_LOGS_POLICY}]', 'The AWS managed policy AWSLambdaBasicExecutionRole only lets the '
         'CDK custom resource that reads the Cognito client secret (once per deploy) write its own logs.'),
        (stack.redis_cluster, 'AEC6', 'No Redis AUTH: the cluster is reachable only from the service\'s security '
         'group in private subnets (a test checks the one ingress rule), traffic is TLS and data encrypted at '
         'rest; the URL the processes read holds no secret that could leak through the task definition.'),
        *((stack.task_policy, f'IAM5[Resource::{_nag_notation(stack, resource)}]', WILDCARDS_BELOW_RESOURCES)
          for resource in stack.wildcard_resources),
        (web.load_balancer, 'EC23', 'The load balancer serves the public customer website and agent desktop: it '
         'must accept 443 (and 80, which only redirects to 443) from anywhere.'),
        (web.task_definition, 'ECS2', 'The environment holds only settings that are not secret (mode, region, SSM '
         'path, log format, trusted proxies, sign-out and Redis URLs); every secret comes from Secrets Manager '
         'through the container\'s secrets (a test checks it).'),
        (stack.access_log_bucket, 'S1', 'This bucket holds the load balancer\'s access logs; logging access to it '
         'would need another bucket, and so on.'),
    ]
    if web.task_definition.execution_role is not None and not stack.config.image:
        accepted.append((web.task_definition.execution_role, 'IAM5[Resource::*]', 'The image built from the '
                         'repository (no `image` in the config) is pulled from the CDK asset repository: ECS\'s '
                         'execution role needs ecr:GetAuthorizationToken, which has no resource-level permissions '
                         '(AWS documents Resource "*" for it); the pull actions themselves are scoped to the asset '
                         'repository by CDK.'))
    if stack.recordings is not None:
        accepted.append((stack.recordings.bucket, 'S1', 'Every read of a recording is a presigned URL the task '
                         'role signs after the product wrote the access to its audit log (docs/recording.md); '
                         'CloudTrail data events can record the S3 side too. A log bucket of its own would hold '
                         'the names of every recording again.'))
    if stack.config.redis_replicas == 0:
        accepted.append((stack.redis_cluster, 'AEC4', 'The operator chose redis_replicas = 0: one node, half the '
                         'price; if it fails, open pages lose their shared storage until ElastiCache replaces it. '
                         'redis_replicas >= 1 (the default) gives a replica in a second zone with failover.'))
    for construct, rule, reason in accepted:
        Validations.of(construct).acknowledge(Acknowledgment(id=f'{PACK}-{rule}', reason=reason))


def _nag_notation(stack: VideoCallEscalationStack, value: str) -> str:
    """A resource as cdk-nag names it in a finding: ``<Logical.Attr>`` for a GetAtt, ``<AWS::Region>`` for a Ref."""

    def text(resolved: object) -> str:
        if isinstance(resolved, str):
            return resolved
        if isinstance(resolved, dict) and 'Fn::Join' in resolved:
            separator, parts = resolved['Fn::Join']
            return str(separator).join(text(part) for part in parts)
        if isinstance(resolved, dict) and 'Fn::GetAtt' in resolved:
            return '<{}.{}>'.format(*resolved['Fn::GetAtt'])
        if isinstance(resolved, dict) and 'Ref' in resolved:
            return f'<{resolved["Ref"]}>'
        raise ValueError(f'cannot name {resolved!r} as cdk-nag does')

    return text(stack.resolve(value))
