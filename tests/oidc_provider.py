"""A real OpenID Connect provider on 127.0.0.1 for login tests (oidc-provider-mock, itself built on authlib).

It serves discovery, the authorization form (the "user" signs in by posting a ``sub``), the token endpoint, the
JWKS and end_session. To test what a relying party must refuse, a test can make the token endpoint hand out an
ID token with altered claims, or one signed with a key the JWKS does not publish (same key id, other key).
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import authlib.deprecate  # noqa: F401  (installs an "always" warning filter that the block below must follow)
import flask
import httpx
import werkzeug.serving
from joserfc import jws, jwt
from joserfc.jwk import RSAKey

with warnings.catch_warnings():
    warnings.simplefilter('ignore', DeprecationWarning)  # the mock still imports authlib.jose
    import oidc_provider_mock

CLIENT_ID = 'vce-agents'
CLIENT_SECRET = 'client-secret-for-tests'
ANN = oidc_provider_mock.User(sub='ann-sub', claims={'email': 'Ann@Example.com', 'email_verified': True,
                                                     'name': 'Ann from the IdP'})
UNVERIFIED = oidc_provider_mock.User(sub='una-sub', claims={'email': 'una@example.com', 'email_verified': False})
STRANGER = oidc_provider_mock.User(sub='sam-sub', claims={'email': 'sam@example.com', 'email_verified': True})


class MockProvider:
    def __init__(self, url: str) -> None:
        self.url = url
        self.alter_claims: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.forged_key: RSAKey | None = None  # sign ID tokens with this instead of the published key
        self.hide_end_session = False  # discovery without end_session_endpoint, as Cognito's
        self.token_requests: list[dict[str, str]] = []  # forms posted to the token endpoint (this mock ignores PKCE)

    @property
    def discovery_url(self) -> str:
        return f'{self.url}/.well-known/openid-configuration'

    def reset(self) -> None:
        self.alter_claims = None
        self.forged_key = None
        self.hide_end_session = False
        self.token_requests.clear()

    def sign_in(self, authorize_url: str, sub: str) -> str:
        """Be the person at the provider's login form; return the callback URL the provider redirects to."""
        assert authorize_url.startswith(f'{self.url}/oauth2/authorize?'), authorize_url
        response = httpx.post(authorize_url, data={'sub': sub})
        assert response.status_code == 302, response.text
        return response.headers['location']

    def _record(self) -> None:
        if flask.request.path == '/oauth2/token':
            self.token_requests.append(dict(flask.request.form))

    def _tamper(self, response: flask.Response) -> flask.Response:
        if flask.request.path.endswith('/openid-configuration') and self.hide_end_session:
            response.set_data(json.dumps({k: v for k, v in response.get_json().items()
                                          if k != 'end_session_endpoint'}))
            return response
        if flask.request.path != '/oauth2/token' or response.status_code != 200:
            return response
        if self.alter_claims is None and self.forged_key is None:
            return response
        body = response.get_json()
        signed = jws.extract_compact(body['id_token'].encode())
        claims = json.loads(signed.payload)
        if self.alter_claims is not None:
            claims = self.alter_claims(claims)
        real_key = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        body['id_token'] = jwt.encode(dict(signed.headers()), claims, self.forged_key or real_key)
        response.set_data(json.dumps(body))
        return response


@contextmanager
def running_provider() -> Iterator[MockProvider]:
    app = oidc_provider_mock.app(require_nonce=True, user_claims=(ANN, UNVERIFIED, STRANGER))
    server = werkzeug.serving.make_server('127.0.0.1', 0, app, threaded=True)
    provider = MockProvider(f'http://127.0.0.1:{server.server_port}')
    app.before_request(provider._record)
    app.after_request(provider._tamper)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f'{parts.path}?{parts.query}'
