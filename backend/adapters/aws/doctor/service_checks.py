"""Doctor checks outside Connect: configuration, credentials, region, Chime SDK, DynamoDB, the Cognito app client."""

from __future__ import annotations

import re

from backend.adapters.aws.boto_clients import available_regions
from backend.adapters.aws.doctor.result import CheckResult, DoctorContext
from backend.adapters.aws.error_messages import AWS_ERRORS, describe
from backend.domain.connect_arns import parse_instance_arn
from backend.settings import checks as v
from backend.settings.parameters import missing_required

COGNITO_DISCOVERY_RE = re.compile(
    r'^https://cognito-idp\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<pool>[\w-]+_[0-9A-Za-z]+)'
    r'(?:/\.well-known/openid-configuration)?$')
# A meeting id that cannot exist: Chime answers NotFound when we may call GetMeeting, Forbidden when we may not.
PROBE_MEETING_ID = '00000000-0000-4000-8000-000000000000'
CHIME_ACTIONS = 'chime:CreateMeetingWithAttendees, chime:DeleteMeeting, chime:DeleteAttendee, chime:GetMeeting'


def check_configuration(ctx: DoctorContext) -> CheckResult:
    name = 'configuration'
    missing = missing_required(ctx.values)
    if ctx.problems or missing:
        lines = list(ctx.problems) + [f'{p.name} is missing' for p in missing]
        options = ' '.join(f'--{p.option} VALUE' for p in missing)
        return CheckResult.fail(name, '; '.join(lines), f'vce configure {options}'.strip())
    return CheckResult.ok(name, 'every required value is set and valid')


def check_credentials(ctx: DoctorContext) -> CheckResult:
    name = 'credentials'
    try:
        identity = ctx.client('sts').get_caller_identity()
    except AWS_ERRORS as error:
        failure = describe('sts:GetCallerIdentity', error)
        return CheckResult.fail(name, str(failure), 'Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and '
                                'AWS_SECRET_ACCESS_KEY), or run where an instance/task role is attached')
    detail = f'account {identity["Account"]} as {identity["Arn"]}'
    arn = ctx.value('connectInstanceARN')
    if arn and parse_instance_arn(arn).account != identity['Account']:
        return CheckResult.fail(name, f'{detail}, but the Connect instance is in account '
                                f'{parse_instance_arn(arn).account}',
                                'Use credentials of the account that owns the Connect instance')
    return CheckResult.ok(name, detail)


def check_region(ctx: DoctorContext) -> CheckResult:
    name = 'region'
    connect_regions = available_regions('connect')
    if ctx.region not in connect_regions:
        return CheckResult.fail(name, f'{ctx.region} has no Amazon Connect', 'Set VCE_AWS_REGION to the region of '
                                f'your Connect instance (Connect runs in {", ".join(connect_regions)})')
    arn = ctx.value('connectInstanceARN')
    if arn and parse_instance_arn(arn).region != ctx.region:
        instance_region = parse_instance_arn(arn).region
        return CheckResult.fail(name, f'the server uses {ctx.region} but the Connect instance is in {instance_region}',
                                f'export VCE_AWS_REGION={instance_region}')
    return CheckResult.ok(name, f'{ctx.region} (Chime media region {ctx.value("chimeMediaRegion")})')


def check_chime(ctx: DoctorContext) -> CheckResult:
    name = 'chime meetings'
    try:
        ctx.client('chime-sdk-meetings').get_meeting(MeetingId=PROBE_MEETING_ID)
    except AWS_ERRORS as error:
        failure = describe('chime:GetMeeting', error)
        if failure.not_found:
            return CheckResult.ok(name, 'the Chime SDK meetings API answers and allows chime:GetMeeting')
        if failure.access_denied:
            return CheckResult.fail(name, str(failure), f'Allow {CHIME_ACTIONS} on * for the server\'s role')
        raise failure from error
    return CheckResult.ok(name, 'the Chime SDK meetings API answers')  # pragma: no cover - the probe id never exists


def check_table(ctx: DoctorContext) -> CheckResult:
    name = 'dynamodb table'
    table = ctx.value('dynamodbTableName')
    client = ctx.client('dynamodb')
    try:
        description = client.describe_table(TableName=table)['Table']
    except AWS_ERRORS as error:
        failure = describe('dynamodb:DescribeTable', error)
        if failure.not_found:
            return CheckResult.fail(name, f'no table {table} in {ctx.region}', 'Create it (see docs/aws/dynamodb.md)'
                                    ', or vce configure --dynamodb-table-name NAME')
        raise failure from error
    try:
        ttl = client.describe_time_to_live(TableName=table)['TimeToLiveDescription']
    except AWS_ERRORS as error:
        raise describe('dynamodb:DescribeTimeToLive', error) from error
    if description.get('TableStatus') != 'ACTIVE':
        return CheckResult.fail(name, f'{table} is {description.get("TableStatus")}', 'Wait until it is ACTIVE')
    if ttl.get('TimeToLiveStatus') not in ('ENABLED', 'ENABLING'):
        return CheckResult.fail(name, f'{table} has time to live {ttl.get("TimeToLiveStatus")}: expired meetings '
                                'and references would never be deleted',
                                f'aws dynamodb update-time-to-live --table-name {table} --time-to-live-specification '
                                'Enabled=true,AttributeName=expiresAt')
    return CheckResult.ok(name, f'{table} is ACTIVE, time to live on {ttl.get("AttributeName")}')


def check_cognito_client(ctx: DoctorContext) -> CheckResult:
    name = 'cognito app client'
    if ctx.value('agentLoginMode') != 'oidc':
        return CheckResult.skip(name, 'agentLoginMode is not oidc')
    if not ctx.value('oidcDiscoveryURL') or not ctx.value('oidcClientId'):
        return CheckResult.skip(name, 'oidcDiscoveryURL or oidcClientId is not configured')
    match = COGNITO_DISCOVERY_RE.match(ctx.value('oidcDiscoveryURL'))
    if not match:
        return CheckResult.skip(name, 'the OIDC provider is not Cognito; check its client settings there')
    website = ctx.value('websiteURL')
    try:
        client = ctx.client('cognito-idp', match['region']).describe_user_pool_client(
            UserPoolId=match['pool'], ClientId=ctx.value('oidcClientId'))['UserPoolClient']
    except AWS_ERRORS as error:
        failure = describe('cognito-idp:DescribeUserPoolClient', error)
        if failure.not_found:
            return CheckResult.fail(name, f'no app client {ctx.value("oidcClientId")} in pool {match["pool"]}',
                                    'vce configure --oidc-client-id ID --oidc-discovery-url URL')
        raise failure from error
    problems = []
    origin = v.origin_of(website) if website else ''
    if origin and not any(v.origin_of(url) == origin for url in client.get('CallbackURLs', [])):
        problems.append(f'no callback URL on {origin}')
    if origin and not any(v.origin_of(url) == origin for url in client.get('LogoutURLs', [])):
        problems.append(f'no sign-out URL on {origin}')
    if 'code' not in client.get('AllowedOAuthFlows', []) or not client.get('AllowedOAuthFlowsUserPoolClient'):
        problems.append('the authorization code grant is not enabled')
    missing_scopes = set(ctx.value('oidcScopes').split()) - set(client.get('AllowedOAuthScopes', []))
    if missing_scopes:
        problems.append(f'scopes not allowed: {", ".join(sorted(missing_scopes))}')
    if problems:
        return CheckResult.fail(name, f'{client.get("ClientName")}: ' + '; '.join(problems),
                                'Cognito console → user pool → App clients → the client → Login pages: add the '
                                f'callback and sign-out URLs on {origin or "your websiteURL"}, the authorization '
                                'code grant and the scopes')
    return CheckResult.ok(name, f'{client.get("ClientName")}: code grant, scopes and URLs on {origin} are set')
