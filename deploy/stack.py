"""The one stack: network, data, agent login, Connect, Redis and the web service, wired as docs/aws/deploy.md says.

``image`` lets tests pass a registry image, so a synth never needs Docker or copies the repository; by default the
image is built from the repository's Dockerfile when ``vce deploy`` publishes the assets (or ``image`` from the
config is used as it is).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, CfnOutput, Environment, IgnoreMode, Stack
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from deploy import data
from deploy.agent_login import SCOPES, build_agent_login
from deploy.cache import build_redis
from deploy.config import DeployConfig
from deploy.contact_centre import build_contact_centre
from deploy.network import build_vpc, load_balancer_networks
from deploy.recordings import build_recording_storage
from deploy.service import build_web_service, service_security_group
from deploy.settings import process_environment, recording_environment, write_parameters
from deploy.task_permissions import Target, task_policy_statements
from vce_resources import contact_flows_dir

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
RETENTION = {1: 'ONE_DAY', 3: 'THREE_DAYS', 5: 'FIVE_DAYS', 7: 'ONE_WEEK', 14: 'TWO_WEEKS', 30: 'ONE_MONTH',
             60: 'TWO_MONTHS', 90: 'THREE_MONTHS', 120: 'FOUR_MONTHS', 150: 'FIVE_MONTHS', 180: 'SIX_MONTHS',
             365: 'ONE_YEAR', 400: 'THIRTEEN_MONTHS', 545: 'EIGHTEEN_MONTHS', 731: 'TWO_YEARS',
             1827: 'FIVE_YEARS', 3653: 'TEN_YEARS'}
FLOW_PARAMETERS = {'VideoCallEscalationChat': 'connectDefaultContactFlowId',
                   'VideoCallEscalationQueue': 'connectQueueFlowId',
                   'VideoCallEscalationVoiceQueue': 'connectVoiceQueueFlowId'}


class VideoCallEscalationStack(Stack):
    def __init__(self, scope: Construct, config: DeployConfig, *, image: ecs.ContainerImage | None = None,
                 flows_dir: Path | None = None) -> None:
        super().__init__(scope, config.stack_name, env=Environment(region=config.region),
                         description='Video Call Escalation: aws mode (docs/aws/deploy.md)')
        self.config = config
        retention = getattr(logs.RetentionDays, RETENTION[config.log_retention_days])
        vpc = build_vpc(self, nat_gateways=config.nat_gateways, retention=retention)
        table = data.build_table(self, retain_data=config.retain_data)
        storage_secret = data.generated_secret(self, 'StorageSecret', 'Signs session cookies (VCE_STORAGE_SECRET)',
                                               retain_data=config.retain_data)
        reference_secret = data.generated_secret(self, 'ReferenceSecret', 'Keys the ad-hoc reference hashes '
                                                 '(VCE_REFERENCE_SECRET)', retain_data=config.retain_data)
        login = build_agent_login(self, config)
        oidc_secret = secretsmanager.Secret(self, 'OidcClientSecret', secret_string_value=login.client_secret,
                                            description='The agent desktop\'s Cognito app client secret',
                                            removal_policy=data.removal_policy(config.retain_data))
        centre = build_contact_centre(self, config, flows_dir=flows_dir or contact_flows_dir())
        group = service_security_group(self, vpc)
        redis = build_redis(self, vpc=vpc, clients=group, node_type=config.redis_node_type,
                            replicas=config.redis_replicas)
        values = {
            'connectInstanceURL': centre.instance_url, 'connectInstanceARN': centre.instance_arn,
            'connectBasicQueueARN': centre.queue_arn, 'chimeMediaRegion': config.media_region,
            'dynamodbTableName': table.ref, 'websiteURL': config.site_url,
            'ccpLoginMode': config.ccp_login_mode, 'agentLoginMode': 'oidc',
            'oidcDiscoveryURL': login.discovery_url, 'oidcClientId': login.client.user_pool_client_id,
            'oidcScopes': SCOPES, 'connectAgentRoutingProfileARN': centre.routing_profile_arn,
            'connectAgentSecurityProfileARN': centre.security_profile_arn,
            **{parameter: centre.flow_ids[name] for name, parameter in FLOW_PARAMETERS.items()},
        }
        if config.connect_federation_role_arn:
            values['connectFederationRoleARN'] = config.connect_federation_role_arn
        self.recordings = (build_recording_storage(self, retention_days=config.recording_retention_days,
                                                   retain_data=config.retain_data)
                           if config.recording else None)
        if self.recordings is not None:
            values['recordingBucket'] = self.recordings.bucket.bucket_name
        write_parameters(self, config.ssm_path, values)
        task_role = iam.Role(self, 'TaskRole', assumed_by=iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
                             description='The Video Call Escalation server: exactly the calls it makes')
        targets = self._permission_targets(config, table.attr_arn, centre.instance_arn)
        self.wildcard_resources = sorted({resource for resources in targets.values() for resource in resources
                                          if resource.endswith('*')})
        self.task_policy = iam.Policy(self, 'TaskPolicy', statements=task_policy_statements(
            targets, federated=config.ccp_login_mode == 'federated', recording=config.recording))
        task_role.attach_inline_policy(self.task_policy)
        environment = process_environment(region=Aws.REGION, ssm_path=config.ssm_path,
                                          trusted_proxies=load_balancer_networks(vpc), logout_url=login.logout_url,
                                          redis_url=redis.url)
        environment.update(recording_environment(config))
        web = build_web_service(
            self, config, vpc=vpc, group=group, image=image or container_image(config), retention=retention,
            environment=environment,
            secrets={'VCE_STORAGE_SECRET': ecs.Secret.from_secrets_manager(storage_secret),
                     'VCE_REFERENCE_SECRET': ecs.Secret.from_secrets_manager(reference_secret),
                     'VCE_OIDC_CLIENT_SECRET': ecs.Secret.from_secrets_manager(oidc_secret)},
            task_role=task_role)
        self.web, self.redis_cluster, self.access_log_bucket = web, redis.cluster, web.access_log_bucket
        outputs = {
            'CustomerUrl': f'{config.site_url}/', 'AgentUrl': f'{config.site_url}/agent',
            'LoadBalancerDnsName': web.pattern.load_balancer.load_balancer_dns_name,
            'Region': Aws.REGION, 'SsmPath': config.ssm_path, 'ConnectInstanceArn': centre.instance_arn,
            'ConnectInstanceUrl': centre.instance_url, 'UserPoolId': login.pool.user_pool_id,
            'StorageSecretArn': storage_secret.secret_arn, 'ReferenceSecretArn': reference_secret.secret_arn,
            'OidcClientSecretArn': oidc_secret.secret_arn,
            'DataRetention': 'retain' if config.retain_data else 'delete',
        }
        if self.recordings is not None:
            outputs['RecordingBucket'] = self.recordings.bucket.bucket_name
        for index, secret in enumerate(centre.agent_password_secrets):
            outputs[f'AgentPasswordSecret{index}'] = secret.secret_arn
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)

    def _permission_targets(self, config: DeployConfig, table_arn: str, instance_arn: str
                            ) -> dict[Target, list[str]]:
        parameter_path = config.ssm_path.rstrip('/')
        return {
            'table': [table_arn, f'{table_arn}/index/*'],
            'instance': [instance_arn, f'{instance_arn}/*'],
            'meetings': [f'arn:{Aws.PARTITION}:chime:{Aws.REGION}:{Aws.ACCOUNT_ID}:meeting/*'],
            'settings': [f'arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter{parameter_path}'],
            'federation_role': [config.connect_federation_role_arn],
            'media_pipelines': [f'arn:{Aws.PARTITION}:chime:{Aws.REGION}:{Aws.ACCOUNT_ID}:media-pipeline/*',
                                f'arn:{Aws.PARTITION}:chime:{Aws.REGION}:{Aws.ACCOUNT_ID}:meeting/*'],
            'recordings_bucket': [self.recordings.bucket.bucket_arn] if self.recordings else [],
            'recording_objects': [self.recordings.bucket.arn_for_objects('*')] if self.recordings else [],
            'recording_key': [self.recordings.key.key_arn] if self.recordings else [],
        }


def container_image(config: DeployConfig) -> ecs.ContainerImage:
    """The configured registry image, or the repository's Dockerfile built when the assets are published."""
    if config.image:
        return ecs.ContainerImage.from_registry(config.image)
    if not (REPOSITORY_ROOT / 'Dockerfile').is_file():
        raise FileNotFoundError(f'no Dockerfile in {REPOSITORY_ROOT}: deploy from a checkout of the repository, '
                                'or set image = "<registry>/<repository>:<tag>" in the config')
    # the build context is what .dockerignore leaves (CDK reads it: IgnoreMode.DOCKER), one list for both builds
    return ecs.ContainerImage.from_asset(str(REPOSITORY_ROOT), ignore_mode=IgnoreMode.DOCKER,
                                         platform=ecr_assets.Platform.LINUX_AMD64)
