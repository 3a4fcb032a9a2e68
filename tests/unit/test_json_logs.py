"""VCE_LOG_FORMAT=json: one JSON object per line with time, level, logger, message, and our lines' event and fields;
no client-chosen text can break a line, add a field or rename one (vce/log_format.py, vce/log_fields.py)."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from backend.settings import Settings
from vce.log_fields import line_fields
from vce.log_format import JsonLogFormatter, configure_logging, server_log_options

HOSTILE = 'x" agent=admin\n{"level": "CRITICAL", "message": "forged"}\r\\ \u2028\u2029\x00\x1b[31m \ud800 é'


def _record(name: str, msg: object, *args: object, level: int = logging.INFO, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)


def _line(record: logging.LogRecord) -> dict[str, object]:
    text = JsonLogFormatter().format(record)
    assert '\n' not in text and '\r' not in text and text.isascii()
    entry = json.loads(text)
    assert isinstance(entry, dict)
    return entry


def test_an_event_line_becomes_its_event_and_fields():
    entry = _line(_record('vce.meetings', 'meeting.started meeting=%s contact=%s agent=%s backend=%s',
                          'm-1', 'c-2', 'ann', 'local'))
    assert entry['level'] == 'INFO' and entry['logger'] == 'vce.meetings'
    assert entry['message'] == 'meeting.started meeting=m-1 contact=c-2 agent=ann backend=local'
    assert entry['event'] == 'meeting.started'
    assert entry['fields'] == {'meeting': 'm-1', 'contact': 'c-2', 'agent': 'ann', 'backend': 'local'}
    assert str(entry['time']).endswith('+00:00') and 'T' in str(entry['time'])


def test_numbers_stay_numbers_and_the_event_may_be_built_from_an_argument():
    entry = _line(_record('vce.rate_limits', '%s.rate_limited attempts=%d', 'chat_start', 11))
    assert entry['event'] == 'chat_start.rate_limited' and entry['fields'] == {'attempts': 11}
    assert line_fields('x.y ratio=%.2f nan=%f', (0.5, float('nan'))).fields == {'ratio': 0.5, 'nan': 'nan'}
    assert line_fields('readiness.changed ready=%s', (True,)).fields == {'ready': True}


def test_a_client_chosen_value_cannot_break_the_line_or_add_a_field():
    entry = _line(_record('vce.sso', 'sso.refused_by_provider error=%s', HOSTILE, level=logging.WARNING))
    assert entry['fields'] == {'error': HOSTILE}
    assert entry['message'] == f'sso.refused_by_provider error={HOSTILE}'
    assert entry['level'] == 'WARNING' and set(entry) == {'time', 'level', 'logger', 'message', 'event', 'fields'}


def test_other_loggers_keep_the_message_only():
    """A library's first word may be a client's text (uvicorn's access line starts with the client address)."""
    entry = _line(_record('uvicorn.access', '%s - "%s %s HTTP/%s" %d', 'contact.ended', 'GET', HOSTILE, '1.1', 404))
    assert 'event' not in entry and 'fields' not in entry
    assert HOSTILE in str(entry['message'])


@pytest.mark.parametrize(('template', 'args'), [
    ('web.no_agent_desktop mode=%s: no local contact centre', ('local',)),  # a field token with more after it
    ('%(name)s.started', ()),  # mapping style
    ('a.b count=%d', ('not a number',)),  # an argument that does not fit
    ('a.b one=%s two=%s', ('only one',)),
    (42, ()),
])
def test_lines_outside_the_pattern_have_no_fields(template, args):
    assert line_fields(template, args).fields == {}


def test_a_line_whose_arguments_do_not_fit_is_still_one_json_line():
    entry = _line(_record('vce', 'a.b count=%d', 'x'))
    assert 'did not fit the format' in str(entry['message']) and 'fields' not in entry


def test_an_exception_is_one_escaped_field():
    try:
        raise ValueError(HOSTILE)
    except ValueError:
        entry = _line(_record('vce.presence', 'presence.end_failed', level=logging.ERROR, exc_info=sys.exc_info()))
    assert entry['event'] == 'presence.end_failed'
    assert 'Traceback' in str(entry['exception']) and 'ValueError' in str(entry['exception'])


def bare_root(monkeypatch) -> logging.Logger:
    """The root logger without handlers, as in a fresh `vce serve`; restored after the test. Called in the test's
    body: pytest adds its own capturing handler after the fixtures ran."""
    root = logging.getLogger()
    monkeypatch.setattr(root, 'handlers', [])
    monkeypatch.setattr(root, 'level', logging.WARNING)
    for name in ('botocore', 'urllib3', 'websockets', 'httpx', 'httpcore', 'authlib', 'boto3'):
        monkeypatch.setattr(logging.getLogger(name), 'level', logging.getLogger(name).level)
    return root


def test_serve_in_json_writes_every_line_as_json_with_the_secret_loggers_kept_at_info(monkeypatch, capsys):
    root = bare_root(monkeypatch)
    settings = Settings(demo=True, log_format='json', log_level='debug')
    configure_logging(settings)
    logging.getLogger('vce.meetings').info('meeting.ended meeting=%s contact=%s', 'm-1', HOSTILE)
    logging.getLogger('botocore.endpoint').debug('Authorization: Bearer secret-token')
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])['fields'] == {'meeting': 'm-1', 'contact': HOSTILE}
    assert root.level == logging.DEBUG
    assert server_log_options(settings) == {'log_config': None}  # uvicorn's lines go through the same handler


def test_text_stays_the_default(monkeypatch, capsys):
    bare_root(monkeypatch)
    settings = Settings(demo=True)
    assert (settings.log_format, settings.log_level) == ('text', 'info')
    configure_logging(settings)
    logging.getLogger('vce').info('agent.created agent=%s', 'ann')
    assert capsys.readouterr().err.rstrip().endswith(' INFO vce agent.created agent=ann')
    assert server_log_options(settings) == {}


def test_the_log_settings_take_any_case_and_refuse_other_values(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv('VCE_LOG_FORMAT', 'JSON')
    monkeypatch.setenv('VCE_LOG_LEVEL', 'WARNING')
    assert (Settings(demo=True).log_format, Settings(demo=True).log_level) == ('json', 'warning')
    monkeypatch.setenv('VCE_LOG_FORMAT', 'xml')
    with pytest.raises(ValidationError, match="VCE_LOG_FORMAT: 'xml' is not one of: text, json"):
        Settings(demo=True)
