"""Serving a local recording file to its supervisor: seekable (HTTP range requests), never cached, and only with a
signed link made for this supervisor after the access went into the audit log (backend/services/media_links.py).
In aws mode the links are S3 presigned URLs and this route is not used."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from nicegui import app

from agent_ui.supervisor.access import supervisor_username
from backend.services.accounts import AccountService
from backend.services.media_links import MEDIA_PATH
from backend.services.recording_library import RecordingLibrary

NO_STORE = {'Cache-Control': 'private, no-store'}


def register_media_route(library: RecordingLibrary, accounts: AccountService) -> None:
    @app.get(MEDIA_PATH + '/{recording_id}/{segment}', include_in_schema=False)
    def media(request: Request, recording_id: str, segment: int) -> Response:
        supervisor = supervisor_username(accounts)
        claims = library.links.verify(recording_id, segment, dict(request.query_params))
        if supervisor is None or claims is None or claims.username != supervisor:
            return PlainTextResponse('Not found', status_code=404, headers=NO_STORE)
        found = library.file_for(recording_id, segment)
        if found is None:
            return PlainTextResponse('Not found', status_code=404, headers=NO_STORE)
        path, part = found
        name = f'recording-{recording_id}-{segment + 1}.webm'
        return FileResponse(path, media_type=part.content_type, headers=NO_STORE, filename=name,
                            content_disposition_type='attachment' if claims.download else 'inline')
