"""Agent login: a Cognito user pool with its hosted-UI domain and one confidential app client (authorization code,
the callback and sign-out URLs of docs/aws/oidc-login.md on the site's origin), optionally a SAML IdP federated by
the pool, and a Cognito user per configured agent (Cognito e-mails each one a temporary password)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, RemovalPolicy, SecretValue
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from backend.settings import Settings
from deploy.config import DeployConfig

CALLBACK_PATH = '/agent/oidc/callback'
SIGN_OUT_PATH = '/agent/login'
SCOPES = 'openid email profile'
SUPERVISOR_GROUP = Settings.model_fields['oidc_supervisor_group'].default  # the server's default: no setting needed


@dataclass(frozen=True)
class AgentLogin:
    pool: cognito.UserPool
    client: cognito.UserPoolClient
    discovery_url: str
    logout_url: str
    client_secret: SecretValue


def build_agent_login(scope: Construct, config: DeployConfig) -> AgentLogin:
    pool = cognito.UserPool(
        scope, 'AgentPool', self_sign_up_enabled=False, sign_in_aliases=cognito.SignInAliases(email=True),
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        standard_attributes=cognito.StandardAttributes(email=cognito.StandardAttribute(required=True, mutable=True)),
        mfa=cognito.Mfa.REQUIRED, mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
        password_policy=cognito.PasswordPolicy(min_length=12, require_digits=True, require_lowercase=True,
                                               require_uppercase=True, require_symbols=True,
                                               temp_password_validity=Duration.days(3)),
        account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
        feature_plan=cognito.FeaturePlan.PLUS,
        standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
        removal_policy=RemovalPolicy.DESTROY)
    prefix = config.cognito_domain_prefix or f'{config.stack_name.lower()}-{Aws.ACCOUNT_ID}'
    domain = pool.add_domain('HostedUi', cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix))
    providers = [cognito.UserPoolClientIdentityProvider.COGNITO]
    saml = None
    if config.saml is not None:
        saml = cognito.UserPoolIdentityProviderSaml(
            scope, 'SamlIdp', user_pool=pool, name=config.saml.name,
            metadata=cognito.UserPoolIdentityProviderSamlMetadata.url(config.saml.metadata_url),
            attribute_mapping=cognito.AttributeMapping(
                email=cognito.ProviderAttribute.other(config.saml.email_attribute),
                custom={'email_verified': cognito.ProviderAttribute.other(config.saml.email_verified_attribute)}))
        providers = [cognito.UserPoolClientIdentityProvider.custom(config.saml.name)]
    client = pool.add_client(
        'AgentDesktop', generate_secret=True, prevent_user_existence_errors=True,
        supported_identity_providers=providers,
        o_auth=cognito.OAuthSettings(
            flows=cognito.OAuthFlows(authorization_code_grant=True),
            scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
            callback_urls=[config.site_url + CALLBACK_PATH], logout_urls=[config.site_url + SIGN_OUT_PATH]),
        auth_flows=cognito.AuthFlow(user_srp=True))
    if saml is not None:
        client.node.add_dependency(saml)
    else:  # with a SAML IdP the agents sign in there; without one, each gets a Cognito user
        for index, agent in enumerate(config.agents):
            cognito.CfnUserPoolUser(
                scope, f'AgentUser{index}', user_pool_id=pool.user_pool_id, username=agent.email,
                desired_delivery_mediums=['EMAIL'],
                user_attributes=[cognito.CfnUserPoolUser.AttributeTypeProperty(name='email', value=agent.email),
                                 cognito.CfnUserPoolUser.AttributeTypeProperty(name='email_verified', value='true'),
                                 cognito.CfnUserPoolUser.AttributeTypeProperty(name='name', value=agent.name)])
    # supervisors (docs/recording.md): the ID token's cognito:groups claim names this group (VCE_OIDC_SUPERVISOR_GROUP)
    cognito.CfnUserPoolGroup(scope, 'SupervisorGroup', user_pool_id=pool.user_pool_id, group_name=SUPERVISOR_GROUP,
                             description='Supervisors: also reach the video call recordings')
    return AgentLogin(
        pool=pool, client=client,
        discovery_url=f'https://cognito-idp.{Aws.REGION}.amazonaws.com/{pool.user_pool_id}'
                      '/.well-known/openid-configuration',
        logout_url=f'{domain.base_url()}/logout', client_secret=client.user_pool_client_secret)
