"""How the server's log lines are written (``VCE_LOG_FORMAT``): text for people, or one JSON object per line for a
log collector (CloudWatch Logs, the container image's default).

A JSON line carries ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; our own lines add ``event`` and
``fields`` (``vce/log_fields.py``), and a logged exception its ``exception`` text. ``json.dumps`` escapes every
character a client could put in a message (quotes, backslashes, new lines, control and non-ASCII characters), so no
input can end a line early or forge another.

Libraries whose DEBUG lines carry bearer tokens and signed URLs never log below INFO, whatever the level.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from backend.settings import Settings
from vce.log_fields import line_fields

TEXT_FORMAT = '%(asctime)s %(levelname)s %(name)s %(message)s'
OWN_LOGGERS = ('vce', 'backend', 'agent_ui', 'customer_ui', 'ui_common')  # whose lines follow "event key=%s"
SECRET_LOGGING_LIBRARIES = ('botocore', 'boto3', 'urllib3', 'websockets', 'httpx', 'httpcore', 'authlib')


class JsonLogFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            'time': datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec='milliseconds'),
            'level': record.levelname, 'logger': record.name, 'message': _message(record)}
        if record.name.split('.')[0] in OWN_LOGGERS:
            parsed = line_fields(record.msg, record.args)
            if parsed.event:
                entry['event'] = parsed.event
            if parsed.fields:
                entry['fields'] = parsed.fields
        if record.exc_info:
            entry['exception'] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry['exception'] = record.exc_text
        if record.stack_info:
            entry['stack'] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=True, allow_nan=False, default=str)


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a call whose arguments do not fit its format: keep the line, say so
        return f'{record.msg!r} (its arguments did not fit the format)'


def configure_logging(settings: Settings) -> None:
    """The root logger for ``vce serve`` / ``vce demo``: level and format from the settings."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter() if settings.log_format == 'json' else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])
    for library in SECRET_LOGGING_LIBRARIES:  # their DEBUG lines carry bearer tokens and signed URLs
        logging.getLogger(library).setLevel(max(logging.INFO, logging.getLogger().level))


def server_log_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``ui.run``: in JSON, uvicorn installs no text handlers of its own, so its lines reach
    the root logger and are written as JSON too (its levels are still set)."""
    return {'log_config': None} if settings.log_format == 'json' else {}
