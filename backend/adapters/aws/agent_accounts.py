"""``vce agents add`` in aws mode: one agent is a Connect user (the CCP) and a Cognito user (the desktop's login),
made together: the Connect user first (with the agents' routing and security profile), then the Cognito user with
the same, verified email (the OIDC login maps that email back to the Connect user); if the second fails, the first
is deleted again, so there is never half an agent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.adapters.aws.error_messages import AWS_ERRORS, AwsCallFailed, describe


@dataclass(frozen=True, slots=True)
class NewAgent:
    username: str  # the Connect username
    display_name: str
    email: str  # the Cognito username and the verified email both users carry
    password: str = ''  # the CCP password of a Connect-managed user; empty on a SAML instance
    group: str = ''  # a Cognito group to add the user to (supervisors: the login reads the groups claim)


@dataclass(frozen=True, slots=True)
class CreatedAgent:
    connect_user_id: str
    username: str
    email: str
    group: str = ''


class ConnectCognitoAgents:
    """Creates agents in one Connect instance and one Cognito user pool."""

    def __init__(self, connect: Any, cognito: Any, *, instance_id: str, routing_profile_id: str,
                 security_profile_id: str, user_pool_id: str) -> None:
        self._connect, self._cognito = connect, cognito
        self.instance_id, self.routing_profile_id = instance_id, routing_profile_id
        self.security_profile_id, self.user_pool_id = security_profile_id, user_pool_id

    def add(self, agent: NewAgent) -> CreatedAgent:
        first, _, last = agent.display_name.strip().rpartition(' ')
        identity = {'FirstName': first or last, 'Email': agent.email, **({'LastName': last} if first else {})}
        try:
            user = self._connect.create_user(
                InstanceId=self.instance_id, Username=agent.username, IdentityInfo=identity,
                PhoneConfig={'PhoneType': 'SOFT_PHONE', 'AutoAccept': False},
                SecurityProfileIds=[self.security_profile_id], RoutingProfileId=self.routing_profile_id,
                **({'Password': agent.password} if agent.password else {}))
        except AWS_ERRORS as error:
            raise describe('connect:CreateUser', error) from error
        try:
            self._cognito.admin_create_user(
                UserPoolId=self.user_pool_id, Username=agent.email, DesiredDeliveryMediums=['EMAIL'],
                UserAttributes=[{'Name': 'email', 'Value': agent.email}, {'Name': 'email_verified', 'Value': 'true'},
                                {'Name': 'name', 'Value': agent.display_name}])
        except AWS_ERRORS as error:
            failure = describe('cognito-idp:AdminCreateUser', error)
            raise self._undo(user['UserId'], agent.username, failure) from error
        if agent.group:
            try:
                self._cognito.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=agent.email,
                                                      GroupName=agent.group)
            except AWS_ERRORS as error:  # the users exist and work as an agent; say what is left to do
                failure = describe('cognito-idp:AdminAddUserToGroup', error)
                raise AwsCallFailed(f'{failure}. The agent {agent.username} was created, but is not a supervisor '
                                    f'yet: add {agent.email} to the Cognito group {agent.group}.',
                                    operation=failure.operation, code=failure.code) from error
        return CreatedAgent(connect_user_id=user['UserId'], username=agent.username, email=agent.email,
                            group=agent.group)

    def _undo(self, user_id: str, username: str, failure: AwsCallFailed) -> AwsCallFailed:
        try:
            self._connect.delete_user(InstanceId=self.instance_id, UserId=user_id)
        except AWS_ERRORS as error:
            undo = describe('connect:DeleteUser', error)
            return AwsCallFailed(f'{failure}. Deleting the Connect user {username} again also failed ({undo}): '
                                 'delete it in the Connect console.', operation=failure.operation, code=failure.code)
        return AwsCallFailed(f'{failure}. The Connect user {username} was deleted again; nothing was created.',
                             operation=failure.operation, code=failure.code)
