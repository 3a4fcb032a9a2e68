"""The customer's Join button in a real browser: the name as typed, one line, an ellipsis when it is too long.

Quasar upper-cased the label and wrapped a long name over several lines. Run in the loopback namespace:

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_join_button_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Pages, accept_offer, login_agent, set_status, start_customer_chat
from tests.e2e.test_video_e2e import pytestmark as video_marks

pytestmark = video_marks  # the same marks as the video tests: e2e, loopback only

LONG_NAME = 'Maria-José de la Cruz McAllister-Ó Briain van der Berg Fitzroy'  # 62 characters (64 allowed)
LABEL_LAYOUT = """(label) => ({transform: getComputedStyle(label.closest('button')).textTransform,
                    oneLine: label.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(label).fontSize),
                    cut: label.scrollWidth > label.clientWidth})"""


def test_a_long_name_stays_as_typed_on_one_line(server: LiveServer, pages: Pages) -> None:
    agent = pages.new(label='agent')
    login_agent(agent, server.base_url)
    set_status(agent, 'Available')
    customer = pages.new(label='customer')
    start_customer_chat(customer, server.base_url, LONG_NAME, 'maria@example.com')
    accept_offer(agent, LONG_NAME)
    agent.get_by_test_id('start-video').click()
    customer.get_by_test_id('join-video').click()
    button = customer.get_by_test_id('join-meeting')
    expect(button).to_have_attribute('aria-label', f'Join meeting as {LONG_NAME}')
    label = customer.get_by_test_id('join-meeting-label')
    expect(label).to_have_text(f'Join meeting as {LONG_NAME}')
    layout = label.evaluate(LABEL_LAYOUT)
    assert layout == {'transform': 'none', 'oneLine': True, 'cut': True}
    window, box = customer.get_by_test_id('chat-window').bounding_box(), button.bounding_box()
    assert window is not None and box is not None
    assert box['x'] + box['width'] <= window['x'] + window['width'], 'the button stays inside the chat window'
