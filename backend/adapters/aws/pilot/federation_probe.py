"""The pilot signs the pilot agent in the federated way: AssumeRole + GetFederationToken on the server, then the
POST the agent's browser would make to the instance's sign-in endpoint (the only step we could not read in the
documentation, docs/aws/ccp.md)."""

from __future__ import annotations

import asyncio
import json

from backend.adapters.aws.pilot.findings import Findings
from backend.adapters.aws.pilot.kit import PilotKit
from backend.adapters.aws.pilot.steps import step

ROWS = ('FED-1', 'FED-2')


async def federation_probe(kit: PilotKit, findings: Findings) -> None:
    if kit.federation is None:
        findings.not_tried(ROWS, 'ccpLoginMode is popup: there is no federated sign-in to try')
        return
    username = kit.plan.agent_username
    if not username:
        findings.not_tried(ROWS, 'no pilot agent: give --pilot-agent with a Connect username of the instance')
        return
    with step(findings, 'FED-1'):
        user = await asyncio.to_thread(kit.directory.user, username)
        token = await asyncio.to_thread(kit.federation.federation_token, username)
    # GetFederationToken's UserId "can be the ID or the ARN of the user"
    matches = user is not None and token.user_id.rsplit('/', 1)[-1] == user.user_id
    findings.check('FED-1', matches, f'GetFederationToken for {username!r} is for user {token.user_id or "?"}')
    form = {'credentials': json.dumps(token.sign_in_credentials()), 'destination': ''}
    with step(findings, 'FED-2'):
        status, headers = await asyncio.to_thread(kit.post_sign_in, kit.sign_in_url, form)
    cookie = any(name.lower() == 'set-cookie' for name in headers)
    findings.check('FED-2', status < 400 and cookie, f'/auth/sign-in answered {status}'
                   + (' and set a cookie' if cookie else ' without a cookie'))
