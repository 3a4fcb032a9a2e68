"""ConnectUserDirectory against botocore's connect model (Stubber: every request and answer is validated, and a call
the test did not expect fails it, which is how the cache is proven)."""

from __future__ import annotations

import pytest

from backend.adapters.aws.connect_users import ConnectUser, ConnectUserDirectory
from backend.adapters.aws.error_messages import AwsCallFailed
from tests.contract.connect_user_fixtures import (
    ANN_ID,
    BOB_ID,
    INSTANCE_ARN,
    INSTANCE_ID,
    connect_client,
    expect_describe_user,
    expect_search,
    user,
)


def directory(stub_client, **options) -> ConnectUserDirectory:  # type: ignore[no-untyped-def]
    clock = options.pop('clock', lambda: 0.0)
    return ConnectUserDirectory(stub_client, instance_id=INSTANCE_ARN, clock=clock, **options)


def test_email_found_as_the_username_and_cached() -> None:
    client, stub = connect_client()
    expect_search(stub, 'ann@example.com', [(ANN_ID, 'ann@example.com')])
    expect_describe_user(stub, user(ANN_ID, 'ann@example.com', email='Ann@Example.com', first='Ann', last='Lee'))
    with stub:
        users = directory(client)
        assert users.find_username(' ANN@example.com ') == 'ann@example.com'
        assert users.find_username('ann@example.com') == 'ann@example.com'  # no second call: cached
        assert users.user('ann@example.com') == ConnectUser(ANN_ID, 'ann@example.com', 'Ann Lee', 'Ann@Example.com')
    stub.assert_no_pending_responses()


def test_plus_in_the_email_becomes_underscore_in_the_username() -> None:
    client, stub = connect_client()
    expect_search(stub, 'ann+desk@example.com', [])
    expect_search(stub, 'ann_desk@example.com', [(ANN_ID, 'ann_desk@example.com')])
    expect_describe_user(stub, user(ANN_ID, 'ann_desk@example.com'))  # no email in Connect: the username decides
    with stub:
        assert directory(client, scan_emails=False).find_username('ann+desk@example.com') == 'ann_desk@example.com'


def test_a_username_that_looks_like_the_email_of_someone_else_is_not_enough() -> None:
    client, stub = connect_client()
    expect_search(stub, 'ann@example.com', [(BOB_ID, 'ann@example.com')])
    expect_describe_user(stub, user(BOB_ID, 'ann@example.com', email='bob@example.com'))
    with stub:
        assert directory(client, scan_emails=False).find_username('ann@example.com') is None


def test_otherwise_every_users_email_is_scanned_once_per_cache_period() -> None:
    client, stub = connect_client()
    now = [0.0]
    expect_search(stub, 'ann@example.com', [])
    stub.add_response('list_users', {'UserSummaryList': [{'Id': ANN_ID, 'Username': 'ann'}], 'NextToken': 'page-2'},
                      {'InstanceId': INSTANCE_ID, 'MaxResults': 100})
    stub.add_response('list_users', {'UserSummaryList': [{'Id': BOB_ID, 'Username': 'bob'}]},
                      {'InstanceId': INSTANCE_ID, 'MaxResults': 100, 'NextToken': 'page-2'})
    expect_describe_user(stub, user(ANN_ID, 'ann', email='ann@example.com'))
    expect_describe_user(stub, user(BOB_ID, 'bob', email='bob@example.com'))
    expect_search(stub, 'bob@example.com', [])  # bob: only the username search, the email index is still fresh
    with stub:
        users = directory(client, clock=lambda: now[0], cache_seconds=60)
        assert users.find_username('ann@example.com') == 'ann'
        now[0] = 30.0
        assert users.find_username('bob@example.com') == 'bob'
    stub.assert_no_pending_responses()


def test_unknown_email_is_none_and_remembered_for_the_cache_period() -> None:
    client, stub = connect_client()
    now = [0.0]
    expect_search(stub, 'eve@example.com', [])
    expect_search(stub, 'eve@example.com', [])  # asked again only after the cache period
    with stub:
        users = directory(client, clock=lambda: now[0], cache_seconds=60, scan_emails=False)
        assert users.find_username('eve@example.com') is None
        assert users.find_username('eve@example.com') is None
        now[0] = 61.0
        assert users.find_username('eve@example.com') is None
    stub.assert_no_pending_responses()


def test_aws_errors_become_a_clear_operator_message() -> None:
    client, stub = connect_client()
    stub.add_client_error('search_users', 'AccessDeniedException', 'not authorized', http_status_code=403)
    with stub, pytest.raises(AwsCallFailed, match=r'connect:SearchUsers failed: AccessDeniedException.*permission'):
        directory(client).user('ann')


def test_a_connect_user_is_an_agent_for_ad_hoc_references() -> None:
    client, stub = connect_client()
    expect_search(stub, 'ann', [(ANN_ID, 'ann')])
    expect_describe_user(stub, user(ANN_ID, 'ann', first='Ann'))
    expect_search(stub, 'nobody', [])
    with stub:
        users = directory(client)
        agent = users.get_agent('ann')
        assert agent is not None and (agent.username, agent.display_name, agent.agent_id) == ('ann', 'Ann', ANN_ID)
        assert users.get_agent('nobody') is None


def test_the_caches_are_bounded_whatever_names_are_tried() -> None:
    client, stub = connect_client()
    for number in range(5):
        expect_search(stub, f'guess{number}', [])
    expect_search(stub, 'guess0', [])  # pushed out by the later names: asked again
    with stub:
        users = directory(client, scan_emails=False, max_entries=3)
        for number in range(5):
            assert users.user(f'guess{number}') is None
        assert users.user('guess4') is None  # still cached: no call
        assert users.user('guess0') is None
    stub.assert_no_pending_responses()
