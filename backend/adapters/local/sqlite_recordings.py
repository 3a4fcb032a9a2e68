"""Local mode's recordings metadata and the supervisors' audit log, in the data folder's SQLite file.

Its own connection to the same file (WAL lets it write beside the main store): a recording is one row whose
segments and consent answers are JSON; the audit log is append-only.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from backend.adapters.local.sqlite_data_file import open_data_file
from backend.adapters.recording_codec import audit_from_json, audit_to_json, recording_from_json, recording_to_json
from backend.domain.recording import AuditEntry, Recording, RecordingQuery, RecordingState
from backend.ports import RecordingStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS recordings (
    recording_id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL,
    started_at REAL NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS recordings_by_contact ON recordings (contact_id, started_at);
CREATE INDEX IF NOT EXISTS recordings_by_time ON recordings (started_at);
CREATE TABLE IF NOT EXISTS recording_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    body TEXT NOT NULL
);
"""
FINISHED = (RecordingState.READY.value, RecordingState.FAILED.value, RecordingState.DECLINED.value)
BUSY_TIMEOUT_SECONDS = 30.0
SCAN_LIMIT = 5_000  # the newest rows a search looks through (filters apply in Python)


class SqliteRecordingStore(RecordingStore):
    def __init__(self, path: Path | str) -> None:
        self._db = open_data_file(path, schema=SCHEMA, timeout=BUSY_TIMEOUT_SECONDS)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def save_recording(self, recording: Recording) -> None:
        with self._lock:
            self._db.execute('INSERT OR REPLACE INTO recordings VALUES (?, ?, ?, ?, ?)',
                             (recording.recording_id, recording.contact_id, recording.started_at,
                              recording.state.value, json.dumps(recording_to_json(recording))))

    def get_recording(self, recording_id: str) -> Recording | None:
        with self._lock:
            row = self._db.execute('SELECT body FROM recordings WHERE recording_id = ?', (recording_id,)).fetchone()
        return recording_from_json(json.loads(row['body'])) if row else None

    def recordings_for_contact(self, contact_id: str) -> list[Recording]:
        return self._many('SELECT body FROM recordings WHERE contact_id = ? ORDER BY started_at', (contact_id,))

    def list_recordings(self, query: RecordingQuery) -> list[Recording]:
        found = [r for r in self._many('SELECT body FROM recordings ORDER BY started_at DESC LIMIT ?', (SCAN_LIMIT,))
                 if query.matches(r)]
        return found[:query.limit]

    def unfinished_recordings(self) -> list[Recording]:
        return self._many('SELECT body FROM recordings WHERE state NOT IN (?, ?, ?) ORDER BY started_at', FINISHED)

    def recordings_started_before(self, before: float) -> list[Recording]:
        return self._many('SELECT body FROM recordings WHERE started_at < ? ORDER BY started_at', (before,))

    def delete_recording(self, recording_id: str) -> None:
        with self._lock:
            self._db.execute('DELETE FROM recordings WHERE recording_id = ?', (recording_id,))

    def add_audit_entry(self, entry: AuditEntry) -> None:
        with self._lock:
            self._db.execute('INSERT INTO recording_audit (at, body) VALUES (?, ?)',
                             (entry.at, json.dumps(audit_to_json(entry))))

    def audit_entries(self, limit: int) -> list[AuditEntry]:
        with self._lock:
            rows = self._db.execute('SELECT body FROM recording_audit ORDER BY seq DESC LIMIT ?', (limit,)).fetchall()
        return [audit_from_json(json.loads(row['body'])) for row in rows]

    def _many(self, sql: str, params: tuple[object, ...]) -> list[Recording]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [recording_from_json(json.loads(row['body'])) for row in rows]
