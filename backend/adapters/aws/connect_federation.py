"""Federated CCP login: a Connect session for the logged-in agent from Amazon Connect ``GetFederationToken``.

``GetFederationToken`` issues a token for "the Connect user which corresponds to the IAM credentials" of the call. On a
SAML-enabled instance that user is found through the IAM role session name, so the server first assumes the configured
role with the agent's Connect username as ``RoleSessionName`` and calls Connect with those short-lived credentials.
(Calling with the server's own identity would sign every agent in as the same Connect user; the settings refuse
federated mode without a role.) The browser then posts the token to the instance's ``/auth/sign-in``.

Tokens and STS credentials are secrets: they are returned to the caller, never logged nor put in an error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from backend.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from backend.domain.federation import FederationToken
from backend.ports import ConnectFederation

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('federated CCP login needs boto3: pip install "video-call-escalation[aws]"') from error

log = logging.getLogger('vce.aws.connect_federation')

# The agent waits on the login: fail within seconds rather than hang on the SDK's 60 s default read timeout.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={'mode': 'standard', 'max_attempts': 3})
SESSION_SECONDS = 900  # the STS minimum: the role credentials only serve the one GetFederationToken call
ROLE_SESSION_NAME = re.compile(r'[\w+=,.@-]{2,64}')  # AssumeRole's RoleSessionName constraint
NOT_FOUND = frozenset({'ResourceNotFoundException', 'UserNotFoundException'})
DENIED = frozenset({'AccessDenied', 'AccessDeniedException'})
BUSY = frozenset({'ThrottlingException', 'Throttling', 'InternalServiceException', 'ServiceUnavailable'})

ConnectClientFactory = Callable[[dict[str, Any]], Any]


class ConnectFederationClient(ConnectFederation):
    """``ConnectFederation`` port: AssumeRole (session name = Connect username), then GetFederationToken."""

    def __init__(self, *, instance_id: str, region: str, role_arn: str, sts_client: Any = None,
                 connect_client_factory: ConnectClientFactory | None = None) -> None:
        """``sts_client`` and ``connect_client_factory`` (called with the role's ``Credentials``) are for tests."""
        if not role_arn:
            raise ValueError('federated CCP login needs a role to assume (VCE_CONNECT_FEDERATION_ROLE_ARN)')
        self.instance_id = instance_id
        self.region = region
        self.role_arn = role_arn
        self._session = boto3.session.Session()
        self._sts = sts_client if sts_client is not None else self._session.client(
            'sts', region_name=region, config=CLIENT_CONFIG)
        self._connect_client = connect_client_factory or self._new_connect_client

    def federation_token(self, connect_username: str) -> FederationToken:
        username = (connect_username or '').strip()
        if not ROLE_SESSION_NAME.fullmatch(username):
            raise InvalidInput(f'Cannot sign {username!r} in to Amazon Connect: a federated Connect username must be '
                               '2-64 characters of letters, digits and + = , . @ _ -')
        assumed = self._call('STS AssumeRole', username, self._sts.assume_role, RoleArn=self.role_arn,
                             RoleSessionName=username, DurationSeconds=SESSION_SECONDS)
        connect = self._connect_client(assumed['Credentials'])
        response = self._call('Connect GetFederationToken', username, connect.get_federation_token,
                              InstanceId=self.instance_id)
        credentials = response.get('Credentials') or {}
        if not credentials.get('AccessToken') or not credentials.get('RefreshToken'):
            raise DomainError(f'Amazon Connect GetFederationToken returned no token for {username!r}; '
                              'sign in again in a moment.')
        log.info('connect.federation_token username=%s connect_user=%s', username, response.get('UserId', ''))
        return FederationToken(
            access_token=credentials['AccessToken'],
            access_token_expires_at=_epoch(credentials.get('AccessTokenExpiration')),
            refresh_token=credentials['RefreshToken'],
            refresh_token_expires_at=_epoch(credentials.get('RefreshTokenExpiration')),
            user_id=str(response.get('UserId') or ''),
        )

    # internals

    def _new_connect_client(self, credentials: dict[str, Any]) -> Any:
        return self._session.client('connect', region_name=self.region, config=CLIENT_CONFIG,
                                    aws_access_key_id=credentials['AccessKeyId'],
                                    aws_secret_access_key=credentials['SecretAccessKey'],
                                    aws_session_token=credentials['SessionToken'])

    def _call(self, operation: str, username: str, method: Any, **params: Any) -> dict[str, Any]:
        try:
            return method(**params)
        except ClientError as error:
            raise self._domain_error(operation, username, error) from error
        except BotoCoreError as error:  # no credentials, endpoint unreachable, timeouts
            raise DomainError(f'{operation} failed for the Amazon Connect login of {username!r}: '
                              f'{type(error).__name__}: {error}') from error

    def _domain_error(self, operation: str, username: str, error: ClientError) -> DomainError:
        code = str(error.response.get('Error', {}).get('Code') or 'Unknown')
        message = error.response.get('Error', {}).get('Message') or 'no message'
        request_id = error.response.get('ResponseMetadata', {}).get('RequestId')
        detail = f'{code}: {message}' + (f' (request id {request_id})' if request_id else '')
        log.warning('connect.federation_failed operation=%s username=%s code=%s', operation, username, code)
        if code in NOT_FOUND:
            return NotFound(f'Amazon Connect instance {self.instance_id} has no user {username!r} to sign in '
                            f'(federated login matches the Connect username to the agent\'s login). {detail}')
        if code in DENIED and operation.startswith('STS'):
            return NotAllowed(f'The server may not assume {self.role_arn} for the Amazon Connect login: check the '
                              f'role\'s trust policy names the server\'s identity. {detail}')
        if code in DENIED:
            return NotAllowed(f'{self.role_arn} may not call connect:GetFederationToken on instance '
                              f'{self.instance_id}: allow it on the instance\'s users (instance/<id>/user/*). {detail}')
        if code in BUSY:
            return DomainError(f'Amazon Connect is busy or unavailable ({operation}); try signing in again in a '
                               f'moment. {detail}')
        if code == 'InvalidRequestException':
            return DomainError(f'Amazon Connect refused the federated login for {username!r}; GetFederationToken '
                               f'works only on instances that use SAML identity management. {detail}')
        return DomainError(f'{operation} failed for the Amazon Connect login of {username!r}. {detail}')


def _epoch(value: Any) -> float:
    """botocore parses the model's timestamps to aware datetimes; plain numbers are already epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value or 0)
