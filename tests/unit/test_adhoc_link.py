"""The ad-hoc link format: what the agent's dialog builds, the customer's page reads back exactly."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from agent_ui.adhoc_invitation import Invitation
from ui_common.adhoc_link import AdhocLink, build_link, names_a_reference, parse_fragment


@pytest.mark.parametrize('email', ['cara@example.com', 'cara+video@example.com', "o'brien&co=1#x?y@example.com",
                                   'a/b%c@example.com'])
def test_every_valid_email_survives_the_round_trip(email: str) -> None:
    link = build_link('https://www.example.com/help?lang=en#old', '00418233', email)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path, parts.query) == ('https', 'www.example.com', '/help', 'lang=en')
    assert parse_fragment(parts.fragment) == AdhocLink(reference='00418233', email=email)


def test_a_link_without_an_email_asks_for_it() -> None:
    assert parse_fragment('ref=00418233') == AdhocLink(reference='00418233', email='')


def test_only_our_keys_name_a_reference() -> None:
    assert names_a_reference('ref=1') and names_a_reference('email=x') and names_a_reference('a=1&ref=')
    assert not names_a_reference('opening-hours') and not names_a_reference('')


def test_the_mail_is_fully_encoded_and_gives_the_expiry_in_utc() -> None:
    invitation = Invitation.create(reference='00418233', email='cara+video@example.com',
                                   website_url='http://127.0.0.1:8080/', expires_at=0.0, ttl_seconds=900,
                                   company_name='Example & Sons')
    assert invitation.spaced_reference == '0041 8233'
    assert invitation.mailto.startswith('mailto:cara%2Bvideo@example.com?subject=Example%20%26%20Sons%20%E2%80%93')
    assert '(until 00:00 UTC)' in invitation.body and 'valid for 15 minutes' in invitation.body
    assert '%0D%0A' in invitation.mailto and '\n' not in invitation.mailto
