"""One INFO line per contact/agent event, with ids only: no names, emails or message bodies."""

from __future__ import annotations

import logging

from backend.domain.model import AgentStatus
from tests.unit.engine_fixtures import add_agent, chat_service, make_engine, settle


async def test_info_logs_carry_ids_but_no_personal_data(caplog):
    caplog.set_level(logging.INFO)
    engine, store, bus = make_engine()
    add_agent(store, 'ann', 'Ann Agent')
    await engine.start()
    chat = chat_service(engine, store, bus)
    contact = await chat.start_chat('tab-0123456789abcdef', name='Zelda Secretname', email='zelda@private.test')
    await settle()
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    await chat.send('tab-0123456789abcdef', 'my card number is 4111 1111')
    engine.end_contact('ann', contact.contact_id)
    engine.clear_contact('ann', contact.contact_id)
    await engine.stop()
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    text = '\n'.join(lines)
    for event in ('contact.initiated', 'contact.queued', 'contact.offered', 'contact.connected',
                  'contact.after_contact_work', 'contact.ended'):
        assert any(line.startswith(event) and f'contact={contact.contact_id}' in line for line in lines), event
    assert 'agent.status agent=ann status=Available' in lines
    for secret in ('Zelda', 'Secretname', 'zelda@private.test', '4111', 'Ann Agent'):
        assert secret not in text


def test_serve_keeps_token_carrying_libraries_out_of_debug_logs(monkeypatch):
    """botocore's DEBUG log prints the Participant Service bearer token; VCE_LOG_LEVEL=DEBUG must not expose it."""
    import logging

    from vce import cli
    from vce.log_format import SECRET_LOGGING_LIBRARIES

    monkeypatch.setenv('VCE_LOG_LEVEL', 'DEBUG')
    monkeypatch.setattr('vce.web.run', lambda settings, *extensions: None)
    root = logging.getLogger()
    monkeypatch.setattr(root, 'handlers', [])
    monkeypatch.setattr(root, 'level', logging.WARNING)
    for library in SECRET_LOGGING_LIBRARIES:  # restored after the test
        monkeypatch.setattr(logging.getLogger(library), 'level', logging.getLogger(library).level)
    cli._serve(cli._settings(demo=True))
    assert root.level == logging.DEBUG
    for library in ('botocore', 'websockets', 'urllib3'):
        assert logging.getLogger(library).getEffectiveLevel() >= logging.INFO, library
