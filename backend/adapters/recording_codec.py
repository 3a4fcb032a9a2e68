"""A recording as JSON-ready values and back, for both stores (SQLite columns, DynamoDB attributes)."""

from __future__ import annotations

from typing import Any

from backend.domain.recording import (
    AuditAction,
    AuditEntry,
    ConsentAnswer,
    ConsentPolicy,
    ConsentRecord,
    Recording,
    RecordingState,
    Segment,
    SegmentState,
)


def consent_to_json(records: tuple[ConsentRecord, ...]) -> list[dict[str, Any]]:
    return [{'policy': r.policy.value, 'answer': r.answer.value, 'at': r.at} for r in records]


def consent_from_json(values: list[dict[str, Any]]) -> tuple[ConsentRecord, ...]:
    return tuple(ConsentRecord(ConsentPolicy(v['policy']), ConsentAnswer(v['answer']), float(v['at'])) for v in values)


def segments_to_json(segments: tuple[Segment, ...]) -> list[dict[str, Any]]:
    return [{'index': s.index, 'started_at': s.started_at, 'state': s.state.value, 'ended_at': s.ended_at,
             'size_bytes': s.size_bytes, 'duration_seconds': s.duration_seconds, 'key': s.key,
             'content_type': s.content_type} for s in segments]


def segments_from_json(values: list[dict[str, Any]]) -> tuple[Segment, ...]:
    return tuple(Segment(index=int(v['index']), started_at=float(v['started_at']), state=SegmentState(v['state']),
                         ended_at=None if v.get('ended_at') is None else float(v['ended_at']),
                         size_bytes=int(v.get('size_bytes') or 0),
                         duration_seconds=float(v.get('duration_seconds') or 0.0), key=str(v.get('key') or ''),
                         content_type=str(v.get('content_type') or 'video/webm')) for v in values)


def recording_to_json(recording: Recording) -> dict[str, Any]:
    return {'recording_id': recording.recording_id, 'contact_id': recording.contact_id,
            'meeting_id': recording.meeting_id, 'agent_username': recording.agent_username,
            'agent_name': recording.agent_name, 'customer_name': recording.customer_name,
            'backend': recording.backend, 'started_at': recording.started_at, 'state': recording.state.value,
            'consent': consent_to_json(recording.consent), 'segments': segments_to_json(recording.segments),
            'stopped_at': recording.stopped_at, 'capture': dict(recording.capture)}


def recording_from_json(value: dict[str, Any]) -> Recording:
    return Recording(recording_id=value['recording_id'], contact_id=value['contact_id'],
                     meeting_id=value['meeting_id'], agent_username=value['agent_username'],
                     agent_name=value['agent_name'], customer_name=value['customer_name'], backend=value['backend'],
                     started_at=float(value['started_at']), state=RecordingState(value['state']),
                     consent=consent_from_json(value.get('consent') or []),
                     segments=segments_from_json(value.get('segments') or []),
                     stopped_at=None if value.get('stopped_at') is None else float(value['stopped_at']),
                     capture=dict(value.get('capture') or {}))


def audit_to_json(entry: AuditEntry) -> dict[str, Any]:
    return {'at': entry.at, 'actor': entry.actor, 'action': entry.action.value, 'recording_id': entry.recording_id,
            'contact_id': entry.contact_id, 'detail': entry.detail}


def audit_from_json(value: dict[str, Any]) -> AuditEntry:
    return AuditEntry(at=float(value['at']), actor=value['actor'], action=AuditAction(value['action']),
                      recording_id=value['recording_id'], contact_id=value['contact_id'],
                      detail=value.get('detail') or '')
