"""Doctor checks on the Amazon Connect instance: the instance, the two flows, the queue, the approved origins."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

from backend.adapters.aws.doctor.result import CheckResult, DoctorContext
from backend.adapters.aws.error_messages import AWS_ERRORS, describe
from backend.domain.connect_arns import parse_instance_arn, parse_queue_arn
from backend.flows.metric_guards import unguarded_metric_messages
from backend.settings import checks as v

FLOW_EXPORT_FIX = ('Create or update the flows with `vce flows export --create-or-update`, then store the ids it '
                   'prints with `vce configure`')


def check_instance(ctx: DoctorContext) -> CheckResult:
    name = 'connect instance'
    arn = ctx.value('connectInstanceARN')
    if not arn:
        return CheckResult.skip(name, 'connectInstanceARN is not configured')
    instance_id = parse_instance_arn(arn).instance_id
    try:
        instance = ctx.client('connect').describe_instance(InstanceId=instance_id)['Instance']
    except AWS_ERRORS as error:
        raise describe('connect:DescribeInstance', error) from error
    status = instance.get('InstanceStatus')
    if status != 'ACTIVE':
        return CheckResult.fail(name, f'instance {instance.get("InstanceAlias")} is {status}: '
                                f'{instance.get("StatusReason", {}).get("Message", "")}'.rstrip(': '),
                                'Wait for the instance to become ACTIVE, or fix it in the Connect console')
    access_url = str(instance.get('InstanceAccessUrl') or '')
    configured = ctx.value('connectInstanceURL')
    alias = str(instance.get('InstanceAlias') or '')
    if configured and not _same_instance_url(configured, access_url, alias):
        return CheckResult.fail(name, f'connectInstanceURL is {configured} but the instance is at {access_url}',
                                f'vce configure --connect-instance-url {access_url}')
    if ctx.value('ccpLoginMode') == 'federated' and instance.get('IdentityManagementType') != 'SAML':
        return CheckResult.fail(name, f'ccpLoginMode is federated but the instance manages users as '
                                f'{instance.get("IdentityManagementType")}; GetFederationToken needs SAML',
                                'vce configure --ccp-login-mode popup (or use an instance with SAML identity '
                                'management)')
    return CheckResult.ok(name, f'{alias} is ACTIVE ({instance.get("IdentityManagementType")}), {access_url}')


def check_chat_flow(ctx: DoctorContext) -> CheckResult:
    return _check_flow(ctx, 'chat flow', 'connectDefaultContactFlowId', 'CONTACT_FLOW')


def check_queue_flow(ctx: DoctorContext) -> CheckResult:
    return _check_flow(ctx, 'queue flow', 'connectQueueFlowId', 'CUSTOMER_QUEUE', _position_is_checked)


def check_voice_queue_flow(ctx: DoctorContext) -> CheckResult:
    """Calls' queue flow (optional: only teams that route calls through our voice flow configure it)."""
    if not ctx.value('connectVoiceQueueFlowId'):
        return CheckResult.skip('voice queue flow', 'connectVoiceQueueFlowId is not configured (calls do not use our '
                                'voice flow)')
    return _check_flow(ctx, 'voice queue flow', 'connectVoiceQueueFlowId', 'CUSTOMER_QUEUE', _position_is_checked)


def check_queue(ctx: DoctorContext) -> CheckResult:
    name = 'queue'
    arn = ctx.value('connectBasicQueueARN')
    if not arn or not ctx.value('connectInstanceARN'):
        return CheckResult.skip(name, 'connectBasicQueueARN is not configured')
    queue_arn = parse_queue_arn(arn)
    try:
        queue = ctx.client('connect').describe_queue(InstanceId=queue_arn.instance.instance_id,
                                                     QueueId=queue_arn.queue_id)['Queue']
    except AWS_ERRORS as error:
        failure = describe('connect:DescribeQueue', error)
        if failure.not_found:
            return CheckResult.fail(name, f'no queue {arn}', 'vce configure --connect-basic-queue-arn ARN (Connect '
                                    'console → Routing → Queues → the queue → "Show additional queue information")')
        raise failure from error
    if queue.get('Status') != 'ENABLED':
        return CheckResult.fail(name, f'queue {queue.get("Name")} is {queue.get("Status")}',
                                'Enable the queue in the Connect console (Routing → Queues)')
    return CheckResult.ok(name, f'{queue.get("Name")} is ENABLED')


def check_approved_origins(ctx: DoctorContext) -> CheckResult:
    name = 'approved origins'
    arn, website = ctx.value('connectInstanceARN'), ctx.value('websiteURL')
    if not arn or not website:
        return CheckResult.skip(name, 'connectInstanceARN or websiteURL is not configured')
    instance_id = parse_instance_arn(arn).instance_id
    wanted = v.origin_of(website)
    origins: list[str] = []
    try:
        for page in ctx.client('connect').get_paginator('list_approved_origins').paginate(InstanceId=instance_id):
            origins += page.get('Origins', [])
    except AWS_ERRORS as error:
        raise describe('connect:ListApprovedOrigins', error) from error
    if wanted in {origin.rstrip('/').lower() for origin in origins}:
        return CheckResult.ok(name, f'{wanted} is approved')
    return CheckResult.fail(name, f'{wanted} is not among the approved origins ({", ".join(origins) or "none"}); '
                            'the CCP will not load in the agent desktop',
                            f'Connect console → your instance → Approved origins → Add origin {wanted} (or: aws '
                            f'connect associate-approved-origin --instance-id {instance_id} --origin {wanted})')


def _check_flow(ctx: DoctorContext, name: str, parameter: str, flow_type: str,
                content_check: Callable[[str, str], CheckResult | None] | None = None) -> CheckResult:
    flow_id, arn = ctx.value(parameter), ctx.value('connectInstanceARN')
    if not arn:
        return CheckResult.skip(name, 'connectInstanceARN is not configured')
    if not flow_id:
        return CheckResult.fail(name, f'{parameter} is not configured', FLOW_EXPORT_FIX)
    instance_id = parse_instance_arn(arn).instance_id
    try:
        flow = ctx.client('connect').describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)['ContactFlow']
    except AWS_ERRORS as error:
        failure = describe('connect:DescribeContactFlow', error)
        if failure.code == 'ContactFlowNotPublishedException':
            return CheckResult.fail(name, f'flow {flow_id} is saved but not published',
                                    'Publish it in the Connect flow designer, or run `vce flows export '
                                    '--create-or-update`')
        if failure.not_found:
            return CheckResult.fail(name, f'no flow with id {flow_id} ({parameter}) in the instance', FLOW_EXPORT_FIX)
        raise failure from error
    label = f'{flow.get("Name")} ({flow.get("Type")}, {flow.get("State")}, {flow.get("Status")})'
    if flow.get('Type') != flow_type:
        return CheckResult.fail(name, f'{label} is not a {flow_type} flow',
                                f'Set {parameter} to the id of the {flow_type} flow (`vce flows export '
                                '--create-or-update` creates it with the right type)')
    if flow.get('State') != 'ACTIVE' or flow.get('Status', 'PUBLISHED') != 'PUBLISHED':
        return CheckResult.fail(name, f'{label} must be ACTIVE and PUBLISHED',
                                'Unarchive and publish it in the Connect flow designer')
    content = flow.get('Content')
    problem = content_check(name, content) if content_check is not None and isinstance(content, str) else None
    return problem or CheckResult.ok(name, label)


def _position_is_checked(name: str, content: str) -> CheckResult | None:
    """The published queue flow must not be able to say "You are number  in the queue" (``metric_guards``)."""
    try:
        unguarded = unguarded_metric_messages(json.loads(content))
    except (ValueError, AttributeError):
        return CheckResult.fail(name, 'the published content is not flow JSON', FLOW_EXPORT_FIX)
    if unguarded:
        return CheckResult.fail(name, f'the published flow quotes the position in queue without checking Connect '
                                f'loaded one ({", ".join(unguarded)}): customers would read "You are number  in the '
                                'queue"', 'Publish the shipped queue flow (it checks the position first) with '
                                '`vce flows export --create-or-update`')
    return None


def _same_instance_url(configured: str, access_url: str, alias: str) -> bool:
    """The configured URL reaches this instance: same host as InstanceAccessUrl, or the legacy awsapps.com form."""
    host = (urlsplit(configured).hostname or '').lower()
    return host == (urlsplit(access_url).hostname or '').lower() or host in {
        f'{alias}.my.connect.aws'.lower(), f'{alias}.awsapps.com'.lower()}
