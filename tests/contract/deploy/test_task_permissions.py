"""The task role grants exactly the AWS actions the server's code calls (least privilege, derived from the code).

A new boto3 call on the server's path fails here until ``deploy/task_permissions.py`` grants it; a grant the code no
longer needs fails until it is removed. The template's task policy is then checked against the table.
"""

from __future__ import annotations

from deploy.task_permissions import GRANTS, grants_for
from tests.contract.deploy.server_aws_calls import OTHER_IDENTITY, server_iam_actions
from tests.contract.deploy.stacks import ROLE_ARN, Synthesized


def task_policy_actions(stack: Synthesized) -> dict[str, set[str]]:
    """Sid -> actions of the task role's own policy."""
    (policy,) = [p['Properties']['PolicyDocument'] for p in stack.resources('AWS::IAM::Policy').values()
                 if all(s.get('Sid', '').startswith('Vce') for s in p['Properties']['PolicyDocument']['Statement'])]
    return {s['Sid']: set(s['Action'] if isinstance(s['Action'], list) else [s['Action']])
            for s in policy['Statement']}


def test_the_grants_are_exactly_the_calls_in_the_code():
    in_code = server_iam_actions()
    granted = {grant.action for grant in GRANTS}
    assert set(in_code) == granted, {'called, not granted': sorted(set(in_code) - granted),
                                     'granted, not called': sorted(granted - set(in_code))}
    assert 'connect:GetFederationToken' in OTHER_IDENTITY  # the federation role's, not the task role's


def test_each_stack_grants_the_task_exactly_what_its_login_mode_needs(each_stack: Synthesized):
    federated = each_stack.config.ccp_login_mode == 'federated'
    actions = task_policy_actions(each_stack)
    assert set().union(*actions.values()) == {grant.action for grant in grants_for(
        federated=federated, recording=each_stack.config.recording)}
    assert ('VceFederationRole' in actions) is federated


def test_the_federation_grant_names_the_configured_role(existing_instance: Synthesized):
    (policy,) = [p['Properties']['PolicyDocument'] for p in existing_instance.resources('AWS::IAM::Policy').values()
                 if any(s.get('Sid') == 'VceFederationRole' for s in p['Properties']['PolicyDocument']['Statement'])]
    (statement,) = [s for s in policy['Statement'] if s['Sid'] == 'VceFederationRole']
    assert statement['Action'] == 'sts:AssumeRole' and statement['Resource'] == ROLE_ARN
