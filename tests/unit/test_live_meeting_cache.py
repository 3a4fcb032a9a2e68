"""``LiveMeetingCache``: what the customer's Join may answer without a read, and when it must read again."""

from __future__ import annotations

from backend.adapters.aws.live_meeting_cache import LiveMeetingCache
from backend.domain.model import Meeting


def live(meeting_id: str = 'm-1', contact_id: str = 'c-1') -> Meeting:
    return Meeting(meeting_id=meeting_id, contact_id=contact_id, owner_username='ann', created_at=1_000.0,
                   provider_meeting={'MeetingId': meeting_id})


def test_an_entry_lasts_until_the_items_ttl_or_the_max_age_whichever_comes_first() -> None:
    cache = LiveMeetingCache(max_age_seconds=300)
    cache.remember(live(), expires_at=1_100, now=1_000)
    cache.remember(live('m-2', 'c-2'), expires_at=None, now=1_000)

    assert cache.get('c-1', now=1_099) == live()
    assert cache.get('c-1', now=1_100) is None
    assert cache.get('c-2', now=1_299) == live('m-2', 'c-2')
    assert cache.get('c-2', now=1_300) is None


def test_forgetting_an_ended_meeting_keeps_a_newer_one_of_the_contact() -> None:
    cache = LiveMeetingCache()
    cache.remember(live('m-2'), expires_at=None, now=1_000)

    cache.forget('c-1', 'm-1')
    assert cache.get('c-1', now=1_000) == live('m-2')
    cache.forget('c-1', 'm-2')
    assert cache.get('c-1', now=1_000) is None


def test_callers_get_copies_and_the_least_recently_used_contacts_are_dropped() -> None:
    cache = LiveMeetingCache(limit=2)
    for n in range(3):
        cache.remember(live(f'm-{n}', f'c-{n}'), expires_at=None, now=1_000)
    cache.get('c-1', now=1_000).provider_meeting['MeetingId'] = 'changed'  # type: ignore[union-attr]

    assert cache.get('c-0', now=1_000) is None
    assert cache.get('c-1', now=1_000) == live('m-1', 'c-1')
