"""The browser recorder's upload route: one POST per chunk, ``/agent/recordings/upload/<recording>/<segment>/<seq>``.

Under /agent, so only a signed-in browser reaches it (agent_ui/login/auth.py); the recording service then checks
that the signed-in agent holds this segment's upload slot (the token the page got with its ticket, in a header, never
in the URL) and that the chunk is the next one. 204: written (or a repeat); 409: refused for good.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from nicegui import app

from agent_ui.login.auth import signed_in_username
from backend.services.recordings import MAX_CHUNK_BYTES, UPLOAD_PATH, RecordingService

TOKEN_HEADER = 'x-recording-token'


def register_recording_upload(recordings: RecordingService) -> None:
    @app.post(UPLOAD_PATH + '/{recording_id}/{segment}/{seq}', include_in_schema=False)
    async def upload(request: Request, recording_id: str, segment: int, seq: int, last: int = 0) -> Response:
        username = signed_in_username()
        if not username:
            return Response(status_code=401)
        declared = request.headers.get('content-length')
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_CHUNK_BYTES):
            return Response(status_code=413)
        body = bytearray()
        async for part in request.stream():
            body += part
            if len(body) > MAX_CHUNK_BYTES:
                return Response(status_code=413)
        accepted = await recordings.receive_chunk(username, recording_id, segment, seq,
                                                  request.headers.get(TOKEN_HEADER, ''), bytes(body), last=bool(last))
        return Response(status_code=204 if accepted else 409)
