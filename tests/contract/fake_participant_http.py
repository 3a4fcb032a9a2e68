"""The Participant Service's REST endpoints, on 127.0.0.1, in front of a ``FakeConnectChat``.

``FakeConnectChat`` answers boto3 calls by hooking botocore, so our adapter's requests never become HTTP there. A
client that is not boto3 (Amazon Connect ChatJS, through its ``endpoint`` setting) needs the wire protocol itself:
this server speaks it as botocore's ``connectparticipant`` model defines it (each operation's method and path, the
token in the ``X-Amz-Bearer`` header, JSON bodies, errors named in ``x-amzn-ErrorType``). Requests are validated
against the operation's input shape and answers against its output shape, exactly like the in-process fake, so
ChatJS and our adapter (a boto3 client with ``endpoint_url`` set to this server) are judged by the same fake.
Every request is recorded as ``(operation, params)`` so tests can compare what the two clients send.
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from tests.contract.fake_connect import AwsError, FakeConnectChat

_MODEL = botocore.session.get_session().get_service_model('connectparticipant')
_ROUTES = {(_MODEL.operation_model(name).http['method'], _MODEL.operation_model(name).http['requestUri']): name
           for name in _MODEL.operation_names}


class ParticipantHttpFront:
    def __init__(self, fake: FakeConnectChat) -> None:
        self.fake = fake
        self.requests: list[tuple[str, dict[str, Any]]] = []  # (operation, params) in arrival order
        self._server = ThreadingHTTPServer(('127.0.0.1', 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name='fake-participant-http', daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f'http://{host!s}:{port}'

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.requests]

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request → (status, headers, body), as the Participant Service would answer it."""
        operation = _ROUTES.get((method, path.split('?')[0]))
        if operation is None:
            return _error(HTTPStatus.NOT_FOUND, 'UnknownOperationException', f'{method} {path}')
        model = _MODEL.operation_model(operation)
        try:
            params = json.loads(body or b'{}')
        except ValueError:
            return _error(HTTPStatus.BAD_REQUEST, 'SerializationException', 'the body is not JSON')
        lowered = {name.lower(): value for name, value in headers.items()}
        for member, shape in model.input_shape.members.items():
            if shape.serialization.get('location') == 'header' and shape.serialization['name'].lower() in lowered:
                params[member] = lowered[shape.serialization['name'].lower()]
        try:
            validate_parameters(params, model.input_shape)
        except ParamValidationError as error:
            return _error(HTTPStatus.BAD_REQUEST, 'ValidationException', str(error))
        self.requests.append((operation, dict(params)))
        try:
            result = getattr(self.fake, xform_name(operation))(**params) or {}
        except AwsError as error:
            return _error(error.status, error.code, error.message)
        if model.output_shape is not None:
            validate_parameters(result, model.output_shape)
        return HTTPStatus.OK, {'Content-Type': 'application/json'}, json.dumps(result).encode()


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return status, {'Content-Type': 'application/json', 'x-amzn-ErrorType': code}, json.dumps(
        {'message': message}).encode()


def _handler(front: ParticipantHttpFront) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def do_POST(self) -> None:
            self._answer()

        def do_GET(self) -> None:
            self._answer()

        def do_OPTIONS(self) -> None:
            """A browser's CORS preflight (Node sends none)."""
            self._send(HTTPStatus.NO_CONTENT, {'Access-Control-Allow-Origin': '*',
                                               'Access-Control-Allow-Headers': '*'}, b'')

        def _answer(self) -> None:
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else b''
            status, headers, payload = front.answer(self.command, self.path, dict(self.headers.items()), body)
            self._send(status, headers, payload)

        def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for name, value in {**headers, 'Content-Length': str(len(payload))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is for the test's own findings."""

    return Handler
