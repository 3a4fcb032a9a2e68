"""The web service: Fargate tasks from the image behind an Application Load Balancer.

HTTPS on 443 with the certificate, HTTP redirected to HTTPS, sticky sessions (a page's websocket and a customer's
participant websocket live in one process), an idle timeout longer than the browsers' socket pings, the health check
on ``/healthz`` (``/readyz``, which also touches the store, can replace it once the server has it), two or more
tasks spread over two zones, and scaling on CPU. The load balancer writes access logs to a bucket of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as patterns
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.config import DeployConfig
from deploy.settings import CONTAINER_PORT

HEALTH_CHECK_PATH = '/healthz'
IDLE_TIMEOUT = Duration.seconds(120)  # > NiceGUI's socket.io ping (25 s): an open page's socket is never cut
STICKINESS = Duration.hours(12)  # a working day: an agent's desktop stays on its process
CPU_TARGET_PERCENT = 60


@dataclass(frozen=True)
class WebService:
    pattern: patterns.ApplicationLoadBalancedFargateService
    security_group: ec2.SecurityGroup
    log_group: logs.LogGroup
    access_log_bucket: s3.Bucket


def service_security_group(scope: Construct, vpc: ec2.Vpc) -> ec2.SecurityGroup:
    """The tasks' group, made first so Redis can admit it; the pattern adds the load balancer's ingress."""
    return ec2.SecurityGroup(scope, 'ServiceSecurityGroup', vpc=vpc, allow_all_outbound=True,
                             description='Video Call Escalation tasks: traffic only from the load balancer')


def build_web_service(scope: Construct, config: DeployConfig, *, vpc: ec2.Vpc, group: ec2.SecurityGroup,
                      image: ecs.ContainerImage, environment: Mapping[str, str],
                      secrets: Mapping[str, ecs.Secret], task_role: iam.Role,
                      retention: logs.RetentionDays) -> WebService:
    cluster = ecs.Cluster(scope, 'Cluster', vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED)
    log_group = logs.LogGroup(scope, 'ServiceLogs', retention=retention, removal_policy=RemovalPolicy.DESTROY)
    zone = _zone(scope, config)
    pattern = patterns.ApplicationLoadBalancedFargateService(
        scope, 'Web', cluster=cluster, cpu=config.task_cpu, memory_limit_mib=config.task_memory_mib,
        desired_count=config.desired_count, min_healthy_percent=100, max_healthy_percent=200,
        security_groups=[group], task_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        public_load_balancer=True, protocol=elbv2.ApplicationProtocol.HTTPS, redirect_http=True,
        certificate=_certificate(scope, config, zone), ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
        domain_name=config.site_domain if zone else None, domain_zone=zone, idle_timeout=IDLE_TIMEOUT,
        circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
        health_check_grace_period=Duration.seconds(60),
        task_image_options=patterns.ApplicationLoadBalancedTaskImageOptions(
            image=image, container_name='web', container_port=CONTAINER_PORT, environment=dict(environment),
            secrets=dict(secrets), task_role=task_role,
            log_driver=ecs.LogDrivers.aws_logs(stream_prefix='web', log_group=log_group)))
    pattern.target_group.configure_health_check(path=HEALTH_CHECK_PATH, healthy_http_codes='200',
                                                interval=Duration.seconds(15), timeout=Duration.seconds(5),
                                                healthy_threshold_count=2, unhealthy_threshold_count=3)
    pattern.target_group.enable_cookie_stickiness(STICKINESS)
    pattern.target_group.set_attribute('deregistration_delay.timeout_seconds', '60')
    pattern.load_balancer.set_attribute('routing.http.drop_invalid_header_fields.enabled', 'true')
    bucket = _access_log_bucket(scope)
    pattern.load_balancer.log_access_logs(bucket, prefix='alb')
    scaling = pattern.service.auto_scale_task_count(min_capacity=config.desired_count, max_capacity=config.max_count)
    scaling.scale_on_cpu_utilization('Cpu', target_utilization_percent=CPU_TARGET_PERCENT,
                                     scale_in_cooldown=Duration.minutes(5), scale_out_cooldown=Duration.minutes(1))
    return WebService(pattern=pattern, security_group=group, log_group=log_group, access_log_bucket=bucket)


def _zone(scope: Construct, config: DeployConfig) -> route53.IHostedZone | None:
    if not config.hosted_zone_id:
        return None
    return route53.HostedZone.from_hosted_zone_attributes(scope, 'Zone', hosted_zone_id=config.hosted_zone_id,
                                                          zone_name=config.hosted_zone_name)


def _certificate(scope: Construct, config: DeployConfig, zone: route53.IHostedZone | None) -> acm.ICertificate:
    if config.certificate_arn:
        return acm.Certificate.from_certificate_arn(scope, 'Certificate', config.certificate_arn)
    assert zone is not None  # the config requires a certificate or a zone
    return acm.Certificate(scope, 'Certificate', domain_name=config.site_domain,
                           validation=acm.CertificateValidation.from_dns(zone))


def _access_log_bucket(scope: Construct) -> s3.Bucket:
    return s3.Bucket(scope, 'AccessLogs', encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True,
                     block_public_access=s3.BlockPublicAccess.BLOCK_ALL, removal_policy=RemovalPolicy.DESTROY,
                     auto_delete_objects=True, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                     lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))])
