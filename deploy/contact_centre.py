"""Amazon Connect: the instance (an existing one by ARN, or a new one with Connect-managed users), the queue, hours,
routing profile (chat and voice) and agent security profile, the flows, the approved origin, and one Connect user
per configured agent (its first password generated into Secrets Manager, never written in the template)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Fn
from aws_cdk import aws_connect as connect
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from deploy import data
from deploy.config import DeployConfig
from deploy.flows import contact_flows

CHAT_CONCURRENCY = 2  # the product's default VCE_CHAT_CONCURRENCY: two chats at once per agent
DAYS = ('MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY')
AGENT_PERMISSIONS = ['BasicAgentAccess', 'OutboundCallAccess']


@dataclass(frozen=True)
class ContactCentre:
    instance_arn: str
    instance_url: str
    queue_arn: str
    routing_profile_arn: str
    security_profile_arn: str
    flow_ids: dict[str, str]  # flow name -> id in the instance
    agent_password_secrets: tuple[secretsmanager.Secret, ...]


def build_contact_centre(scope: Construct, config: DeployConfig, *, flows_dir: Path) -> ContactCentre:
    if config.new_instance:
        instance = connect.CfnInstance(
            scope, 'ConnectInstance', identity_management_type='CONNECT_MANAGED',
            instance_alias=config.connect_instance_alias,
            attributes=connect.CfnInstance.AttributesProperty(inbound_calls=True, outbound_calls=True,
                                                              contactflow_logs=True))
        instance_arn, instance_url = instance.attr_arn, f'https://{config.connect_instance_alias}.my.connect.aws'
    else:
        instance_arn, instance_url = config.connect_instance, config.connect_instance_url
    name = config.stack_name
    queue_arn = config.connect_queue_arn or _queue(scope, instance_arn, name)
    routing = connect.CfnRoutingProfile(
        scope, 'AgentRouting', instance_arn=instance_arn, name=f'{name}-Agents',
        description='Video Call Escalation agents: chats and calls', default_outbound_queue_arn=queue_arn,
        media_concurrencies=[connect.CfnRoutingProfile.MediaConcurrencyProperty(channel='CHAT',
                                                                                concurrency=CHAT_CONCURRENCY),
                             connect.CfnRoutingProfile.MediaConcurrencyProperty(channel='VOICE', concurrency=1)],
        queue_configs=[connect.CfnRoutingProfile.RoutingProfileQueueConfigProperty(
            delay=0, priority=1, queue_reference=connect.CfnRoutingProfile.RoutingProfileQueueReferenceProperty(
                channel=channel, queue_arn=queue_arn)) for channel in ('CHAT', 'VOICE')])
    security = connect.CfnSecurityProfile(
        scope, 'AgentSecurity', instance_arn=instance_arn, security_profile_name=f'{name}-Agent',
        description='Video Call Escalation agents: the contact control panel', permissions=AGENT_PERMISSIONS)
    flows = contact_flows(scope, flows_dir=flows_dir, instance_arn=instance_arn, queue_arn=queue_arn)
    connect.CfnApprovedOrigin(scope, 'ApprovedOrigin', instance_id=instance_arn, origin=config.site_url)
    secrets = []
    for index, agent in enumerate(config.agents):
        password = None
        if config.ccp_login_mode == 'popup':  # Connect-managed users sign in to the CCP with this password
            secret = data.generated_secret(scope, f'AgentPassword{index}', f'First Connect password of {agent.email}',
                                           retain_data=False)
            secrets.append(secret)
            password = secret.secret_value.unsafe_unwrap()  # a {{resolve:secretsmanager}} reference, not a value
        first, last = agent.first_and_last_name
        connect.CfnUser(
            scope, f'AgentConnectUser{index}', instance_arn=instance_arn, username=agent.username,
            routing_profile_arn=routing.attr_routing_profile_arn,
            security_profile_arns=[security.attr_security_profile_arn], password=password,
            identity_info=connect.CfnUser.UserIdentityInfoProperty(first_name=first, last_name=last or None,
                                                                   email=agent.email),
            phone_config=connect.CfnUser.UserPhoneConfigProperty(phone_type='SOFT_PHONE', auto_accept=False))
    return ContactCentre(
        instance_arn=instance_arn, instance_url=instance_url, queue_arn=queue_arn,
        routing_profile_arn=routing.attr_routing_profile_arn,
        security_profile_arn=security.attr_security_profile_arn,
        flow_ids={flow_name: flow_id_of(flow.attr_contact_flow_arn) for flow_name, flow in flows.items()},
        agent_password_secrets=tuple(secrets))


def flow_id_of(flow_arn: str) -> str:
    """The id at the end of ``arn:…:instance/<instance id>/contact-flow/<flow id>``."""
    return Fn.select(3, Fn.split('/', flow_arn))


def _queue(scope: Construct, instance_arn: str, name: str) -> str:
    """A queue open all the time, for chats and calls without a reference."""
    always = connect.CfnHoursOfOperation(
        scope, 'AlwaysOpen', instance_arn=instance_arn, name=f'{name}-AlwaysOpen', time_zone='UTC',
        description='Open all day, every day',
        config=[connect.CfnHoursOfOperation.HoursOfOperationConfigProperty(
            day=day, start_time=connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(hours=0, minutes=0),
            end_time=connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(hours=23, minutes=59))
            for day in DAYS])
    queue = connect.CfnQueue(scope, 'BasicQueue', instance_arn=instance_arn, name=f'{name}-Basic',
                             hours_of_operation_arn=always.attr_hours_of_operation_arn,
                             description='Chats and calls without an ad-hoc reference')
    return queue.attr_queue_arn
