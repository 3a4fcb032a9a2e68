"""What the synthesized stack promises, checked on the CloudFormation template (no AWS, no network, no Docker)."""

from __future__ import annotations

import json
from typing import Any

from backend import bootstrap
from backend.settings.parameters import BY_NAME, PARAMETERS, clean, is_active
from tests.contract.deploy.stacks import QUEUE_ARN, ROLE_ARN, Synthesized

SECRET_VARIABLES = {'VCE_STORAGE_SECRET', 'VCE_REFERENCE_SECRET', 'VCE_OIDC_CLIENT_SECRET'}


def container(stack: Synthesized) -> dict[str, Any]:
    (definition,) = stack.one('AWS::ECS::TaskDefinition')['Properties']['ContainerDefinitions']
    return definition


def environment(stack: Synthesized) -> dict[str, Any]:
    return {item['Name']: item['Value'] for item in container(stack)['Environment']}


def ssm_values(stack: Synthesized) -> dict[str, Any]:
    prefix = stack.config.ssm_path
    return {p['Properties']['Name'].removeprefix(prefix): p['Properties']['Value']
            for p in stack.resources('AWS::SSM::Parameter').values()}


def logical_id(stack: Synthesized, kind: str) -> str:
    (name,) = stack.resources(kind)
    return name


def test_https_listener_with_the_certificate_and_http_redirects_to_https(each_stack):
    listeners = {item['Properties']['Port']: item['Properties'] for item in each_stack.resources(
        'AWS::ElasticLoadBalancingV2::Listener').values()}
    assert set(listeners) == {443, 80}
    https = listeners[443]
    assert https['Protocol'] == 'HTTPS' and https['SslPolicy'].startswith('ELBSecurityPolicy-TLS13')
    certificate = https['Certificates'][0]['CertificateArn']
    if each_stack.config.certificate_arn:
        assert certificate == each_stack.config.certificate_arn
    else:  # created in the zone, validated by DNS
        assert certificate == {'Ref': logical_id(each_stack, 'AWS::CertificateManager::Certificate')}
        issued = each_stack.one('AWS::CertificateManager::Certificate')['Properties']
        assert issued['DomainName'] == each_stack.config.site_domain and issued['ValidationMethod'] == 'DNS'
    assert listeners[80]['DefaultActions'] == [{'Type': 'redirect', 'RedirectConfig': {
        'Port': '443', 'Protocol': 'HTTPS', 'StatusCode': 'HTTP_301'}}]


def test_sticky_sessions_health_check_and_an_idle_timeout_for_websockets(each_stack):
    group = each_stack.one('AWS::ElasticLoadBalancingV2::TargetGroup')['Properties']
    attributes = {a['Key']: a['Value'] for a in group['TargetGroupAttributes']}
    assert attributes['stickiness.enabled'] == 'true' and attributes['stickiness.type'] == 'lb_cookie'
    assert int(attributes['stickiness.lb_cookie.duration_seconds']) >= 8 * 3600
    assert group['HealthCheckPath'] == '/healthz' and group['Matcher'] == {'HttpCode': '200'}
    balancer = each_stack.one('AWS::ElasticLoadBalancingV2::LoadBalancer')['Properties']
    assert balancer['Scheme'] == 'internet-facing'
    balancer_attributes = {a['Key']: a['Value'] for a in balancer['LoadBalancerAttributes']}
    assert int(balancer_attributes['idle_timeout.timeout_seconds']) > 25 * 2  # socket.io pings every 25 s
    assert balancer_attributes['access_logs.s3.enabled'] == 'true'


def test_two_or_more_tasks_scaling_on_cpu(each_stack):
    config = each_stack.config
    service = each_stack.one('AWS::ECS::Service')['Properties']
    assert service['DesiredCount'] == config.desired_count >= 2
    assert service['LaunchType'] == 'FARGATE'
    target = each_stack.one('AWS::ApplicationAutoScaling::ScalableTarget')['Properties']
    assert (target['MinCapacity'], target['MaxCapacity']) == (config.desired_count, config.max_count)
    policy = each_stack.one('AWS::ApplicationAutoScaling::ScalingPolicy')['Properties']
    metric = policy['TargetTrackingScalingPolicyConfiguration']['PredefinedMetricSpecification']
    assert metric['PredefinedMetricType'] == 'ECSServiceAverageCPUUtilization'


def test_no_iam_action_is_a_wildcard(each_stack):
    documents = [p['Properties']['PolicyDocument'] for p in each_stack.resources('AWS::IAM::Policy').values()]
    documents += [p['PolicyDocument'] for r in each_stack.resources('AWS::IAM::Role').values()
                  for p in r['Properties'].get('Policies', [])]
    assert documents
    for document in documents:
        for statement in document['Statement']:
            actions = statement['Action'] if isinstance(statement['Action'], list) else [statement['Action']]
            assert all(action != '*' and not action.endswith(':*') for action in actions), statement


def test_the_task_roles_wildcards_stand_below_named_resources(each_stack):
    (policy,) = [p['Properties']['PolicyDocument'] for p in each_stack.resources('AWS::IAM::Policy').values()
                 if any(s.get('Sid', '').startswith('Vce') for s in p['Properties']['PolicyDocument']['Statement'])]
    for statement in policy['Statement']:
        resources = statement['Resource'] if isinstance(statement['Resource'], list) else [statement['Resource']]
        for resource in resources:
            text = json.dumps(resource)
            assert text != '"*"', statement
            if '*' in text:
                assert text.endswith(('/index/*"]]}', '/*"]]}', ':meeting/*"]]}')) or text.endswith('/*"'), text


def test_every_secret_comes_from_secrets_manager_and_none_is_in_the_environment_or_ssm(each_stack):
    secrets = {item['Name']: item['ValueFrom'] for item in container(each_stack)['Secrets']}
    assert set(secrets) == SECRET_VARIABLES
    secret_resources = each_stack.resources('AWS::SecretsManager::Secret')
    for reference in secrets.values():
        assert reference['Ref'] in secret_resources
    assert not [name for name in environment(each_stack) if 'SECRET' in name or 'PASSWORD' in name]
    assert not [name for name in ssm_values(each_stack) if BY_NAME[name].secret]
    generated = [r for r in secret_resources.values() if 'GenerateSecretString' in r['Properties']]
    assert all('SecretString' not in r['Properties'] for r in generated)  # values made by Secrets Manager


def test_the_settings_in_ssm_pass_the_products_own_checks_and_complete_the_tree(each_stack):
    values = ssm_values(each_stack)
    literal = {name: value for name, value in values.items() if isinstance(value, str)}
    assert clean(literal) == literal
    assert values['websiteURL'] == f'https://{each_stack.config.site_domain}'
    assert values['agentLoginMode'] == 'oidc' and values['oidcScopes'] == 'openid email profile'
    from_secrets_manager = {'storageSecret', 'oidcClientSecret'}
    given = {**{name: 'x' for name in values}, 'agentLoginMode': 'oidc',
             'ccpLoginMode': each_stack.config.ccp_login_mode}
    missing = {p.name for p in PARAMETERS if p.required and is_active(p, given) and p.name not in values}
    assert missing <= from_secrets_manager
    assert {'connectQueueFlowId', 'connectVoiceQueueFlowId', 'connectAgentRoutingProfileARN',
            'connectAgentSecurityProfileARN'} <= set(values)


def test_the_process_environment(each_stack):
    env = environment(each_stack)
    assert env['VCE_MODE'] == 'aws' and env['VCE_LOG_FORMAT'] == 'json'
    assert env['VCE_SSM_PATH'] == each_stack.config.ssm_path and env['VCE_HOST'] == '0.0.0.0'
    public = sorted(s['Properties']['CidrBlock'] for s in each_stack.resources('AWS::EC2::Subnet').values()
                    if s['Properties'].get('MapPublicIpOnLaunch'))
    assert sorted(env['VCE_TRUSTED_PROXIES'].split(',')) == public and len(public) == 2
    for name in ('VCE_REDIS_URL', 'NICEGUI_REDIS_URL'):
        parts = env[name]['Fn::Join'][1]
        assert parts[0] == 'rediss://' and parts[1] == {'Fn::GetAtt': ['Redis', 'PrimaryEndPoint.Address']}
    assert env['VCE_OIDC_LOGOUT_URL']['Fn::Join'][1][-1].endswith('.amazoncognito.com/logout')


def test_redis_is_reachable_only_from_the_services_security_group(each_stack):
    redis = each_stack.one('AWS::ElastiCache::ReplicationGroup')['Properties']
    assert redis['TransitEncryptionEnabled'] is True and redis['AtRestEncryptionEnabled'] is True
    (redis_group,) = [ref['Fn::GetAtt'][0] for ref in redis['SecurityGroupIds']]
    assert 'SecurityGroupIngress' not in each_stack.template['Resources'][redis_group]['Properties']
    rules = [r['Properties'] for r in each_stack.resources('AWS::EC2::SecurityGroupIngress').values()
             if r['Properties']['GroupId'] == {'Fn::GetAtt': [redis_group, 'GroupId']}]
    service_groups = each_stack.one('AWS::ECS::Service')['Properties']['NetworkConfiguration'][
        'AwsvpcConfiguration']['SecurityGroups']
    assert len(rules) == 1 and [rules[0]['SourceSecurityGroupId']] == service_groups
    assert rules[0]['FromPort'] == rules[0]['ToPort'] == redis['Port']
    assert not any('CidrIp' in rule for rule in rules)


def test_the_table_is_the_one_vce_create_table_makes_with_ttl(each_stack):
    definition, ttl = bootstrap.table_definition()
    table = each_stack.one('AWS::DynamoDB::Table')
    properties = table['Properties']
    assert properties['KeySchema'] == definition['KeySchema']
    assert properties['AttributeDefinitions'] == definition['AttributeDefinitions']
    assert properties['GlobalSecondaryIndexes'] == definition['GlobalSecondaryIndexes']
    assert properties['BillingMode'] == 'PAY_PER_REQUEST'
    assert properties['TimeToLiveSpecification'] == {'AttributeName': ttl, 'Enabled': True}
    policy = 'Retain' if each_stack.config.retain_data else 'Delete'
    assert table['DeletionPolicy'] == policy
    secrets = [s for s in each_stack.resources('AWS::SecretsManager::Secret').values()
               if s['Properties'].get('Description', '').startswith(('Signs', 'Keys', 'The agent desktop'))]
    assert len(secrets) == 3 and {s['DeletionPolicy'] for s in secrets} == {policy}


def test_the_cognito_app_client_uses_the_code_flow_and_the_sites_urls(each_stack):
    site = each_stack.config.site_url
    client = each_stack.one('AWS::Cognito::UserPoolClient')['Properties']
    assert client['AllowedOAuthFlows'] == ['code'] and client['AllowedOAuthFlowsUserPoolClient'] is True
    assert client['GenerateSecret'] is True
    assert set(client['AllowedOAuthScopes']) == {'openid', 'email', 'profile'}
    assert client['CallbackURLs'] == [f'{site}/agent/oidc/callback']
    assert client['LogoutURLs'] == [f'{site}/agent/login']
    pool = each_stack.one('AWS::Cognito::UserPool')['Properties']
    assert pool['MfaConfiguration'] == 'ON' and pool['AdminCreateUserConfig']['AllowAdminCreateUserOnly'] is True
    assert each_stack.one('AWS::Cognito::UserPoolDomain')


def test_the_approved_origin_is_the_site_url(each_stack):
    origin = each_stack.one('AWS::Connect::ApprovedOrigin')['Properties']
    assert origin['Origin'] == each_stack.config.site_url


def test_a_new_instance_with_its_queue_profiles_and_connect_managed_agents(new_instance):
    instance = new_instance.one('AWS::Connect::Instance')['Properties']
    assert instance['IdentityManagementType'] == 'CONNECT_MANAGED'
    assert instance['InstanceAlias'] == 'example-bank'
    instance_arn = {'Fn::GetAtt': [logical_id(new_instance, 'AWS::Connect::Instance'), 'Arn']}
    assert new_instance.one('AWS::Connect::ApprovedOrigin')['Properties']['InstanceId'] == instance_arn
    hours = new_instance.one('AWS::Connect::HoursOfOperation')['Properties']
    assert len(hours['Config']) == 7
    queue = {'Fn::GetAtt': [logical_id(new_instance, 'AWS::Connect::Queue'), 'QueueArn']}
    routing = new_instance.one('AWS::Connect::RoutingProfile')['Properties']
    assert {m['Channel'] for m in routing['MediaConcurrencies']} == {'CHAT', 'VOICE'}
    assert {(c['QueueReference']['Channel'], json.dumps(c['QueueReference']['QueueArn']))
            for c in routing['QueueConfigs']} == {('CHAT', json.dumps(queue)), ('VOICE', json.dumps(queue))}
    users = sorted((u['Properties'] for u in new_instance.resources('AWS::Connect::User').values()),
                   key=lambda u: u['Username'])
    assert [u['Username'] for u in users] == ['ann_video@example.com', 'bob@example.com']
    assert users[0]['IdentityInfo'] == {'FirstName': 'Ann', 'LastName': 'Smith', 'Email': 'ann+video@example.com'}
    for user in users:  # the password is a dynamic reference CloudFormation resolves, never a value
        assert '{{resolve:secretsmanager:' in json.dumps(user['Password'])
    cognito_users = [u['Properties'] for u in new_instance.resources('AWS::Cognito::UserPoolUser').values()]
    assert sorted(u['Username'] for u in cognito_users) == ['ann+video@example.com', 'bob@example.com']
    assert new_instance.template['Outputs']['DataRetention']['Value'] == 'delete'


def test_an_existing_saml_instance_keeps_its_queue_and_federates_the_login(existing_instance):
    stack = existing_instance
    assert not stack.resources('AWS::Connect::Instance') and not stack.resources('AWS::Connect::Queue')
    routing = stack.one('AWS::Connect::RoutingProfile')['Properties']
    assert {c['QueueReference']['QueueArn'] for c in routing['QueueConfigs']} == {QUEUE_ARN}
    (user,) = [u['Properties'] for u in stack.resources('AWS::Connect::User').values()]
    assert 'Password' not in user  # SAML instance: the IdP holds the password
    assert not stack.resources('AWS::Cognito::UserPoolUser')  # agents sign in at the SAML IdP
    saml = stack.one('AWS::Cognito::UserPoolIdentityProvider')['Properties']
    assert saml['ProviderType'] == 'SAML' and saml['ProviderName'] == 'Corporate'
    assert stack.one('AWS::Cognito::UserPoolClient')['Properties']['SupportedIdentityProviders'] == ['Corporate']
    assert ssm_values(stack)['connectFederationRoleARN'] == ROLE_ARN
    assert stack.template['Outputs']['DataRetention']['Value'] == 'retain'
