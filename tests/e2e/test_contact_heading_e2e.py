"""The agent's Start video and End contact stay put when the call column opens beside the contact.

They shared the heading row with the customer's name; the call column made the page narrower, the row wrapped and
the buttons jumped below the name just as the agent reached for them. Run in the loopback namespace (WebRTC):

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_contact_heading_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, Pages
from tests.e2e.test_video_e2e import agent_join, open_chat, start_video
from tests.e2e.test_video_e2e import pytestmark as video_marks

pytestmark = video_marks  # the same marks as the video tests: e2e, loopback only

BUTTONS = ('start-video', 'end-contact')


def boxes(agent: Page) -> dict[str, tuple[int, int]]:
    """Where each button's top-left corner is, to the pixel."""
    found = {}
    for testid in BUTTONS:
        box = agent.get_by_test_id(testid).bounding_box()
        assert box is not None, f'{testid} is not shown'
        found[testid] = (round(box['x']), round(box['y']))
    return found


def test_start_video_and_end_contact_do_not_move_when_the_call_starts(server: LiveServer, pages: Pages) -> None:
    agent, customer = open_chat(pages, server)
    expect(agent.get_by_test_id('call-panel')).to_be_hidden()
    before = boxes(agent)
    start_video(agent, customer)
    expect(agent.get_by_test_id('call-panel')).to_be_visible()
    assert boxes(agent) == before, 'device setup opened the call column'
    agent_join(agent)
    assert boxes(agent) == before, 'in the call'
