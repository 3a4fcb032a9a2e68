"""A ``ModelFake`` (e.g. ``FakeConnectInstance``) serving boto3 clients in OTHER processes, for the multi-process
test: the server processes' clients are real boto3 clients (botocore validates every request against the model
before it leaves); their calls travel to the test process over a loopback ``multiprocessing.connection`` (with an
auth key) and the fake answers there, validating its answer against the model as always. Test code only.
"""

from __future__ import annotations

import threading
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.validate import validate_parameters

from tests.contract.fake_connect import AwsError, ModelFake


class FakeHost:
    """In the test process: answers the remote clients' calls with ``fake``'s methods, one thread per client."""

    def __init__(self, fake: ModelFake, authkey: bytes) -> None:
        self.fake, self._lock = fake, threading.Lock()
        self._listener = Listener(('127.0.0.1', 0), authkey=authkey)
        self._thread = threading.Thread(target=self._accept, name='fake-host', daemon=True)

    @property
    def address(self) -> str:
        host, port = self._listener.address
        return f'{host}:{port}'

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: Connection) -> None:
        with connection:
            while True:
                try:
                    name, params = connection.recv()
                except (EOFError, OSError):
                    return
                method = getattr(self.fake, name, None)
                try:
                    if method is None:
                        raise NotImplementedError(name)
                    with self._lock:
                        answer: Any = ('ok', method(**params) or {})
                except AwsError as error:
                    answer = ('error', error.code, error.status, error.message)
                except Exception as error:  # the fake itself failed: the caller sees it
                    answer = ('error', 'FakeFailed', 500, f'{type(error).__name__}: {error}')
                connection.send(answer)


class RemoteFake(ModelFake):
    """In a server process: attach to boto3 clients; each call is answered by the test process's fake."""

    def __init__(self, address: str, authkey: bytes) -> None:
        host, port = address.rsplit(':', 1)
        self._address, self._authkey = (host, int(port)), authkey
        self._local = threading.local()  # one connection per thread (boto3 calls run in worker threads)

    def _dispatch(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        connection = getattr(self._local, 'connection', None)
        if connection is None:
            connection = self._local.connection = Client(self._address, authkey=self._authkey)
        connection.send((xform_name(model.name), context['fake_params']))
        answer = connection.recv()
        if answer[0] == 'error':
            _, code, status, message = answer
            return (AWSResponse('', status, {}, None),  # type: ignore[arg-type]
                    {'Error': {'Code': code, 'Message': message}, 'ResponseMetadata': {'HTTPStatusCode': status}})
        body = answer[1]
        if model.output_shape is not None:
            validate_parameters(body, model.output_shape)
        return AWSResponse('', 200, {}, None), {**body, 'ResponseMetadata': {'HTTPStatusCode': 200}}  # type: ignore[arg-type]
