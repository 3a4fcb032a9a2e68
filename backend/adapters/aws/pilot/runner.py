"""``vce doctor --pilot``: the live smoke test on a sandbox instance, one probe after another, a verdict per row of
docs/aws/fidelity.md. A probe that breaks stops itself (its later rows are "not tried") but not the others."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from backend.adapters.aws.pilot import chat_probe, federation_probe, meeting_probe, reference_probe
from backend.adapters.aws.pilot.findings import Finding, Findings
from backend.adapters.aws.pilot.kit import PilotKit
from backend.adapters.aws.pilot.steps import ProbeStopped

log = logging.getLogger('vce.aws.pilot')


async def run_pilot(kit: PilotKit) -> list[Finding]:
    findings = Findings()
    priority: list[int | None] = [None]  # the plain chat's, for the reference chat's comparison

    async def plain_chat() -> None:
        priority[0] = await chat_probe.chat_probe(kit, findings)

    probes: list[tuple[tuple[str, ...], Callable[[], Awaitable[None]]]] = [
        (chat_probe.ROWS, plain_chat),
        (reference_probe.ROWS, lambda: reference_probe.reference_probe(kit, findings, priority[0])),
        (meeting_probe.ROWS, lambda: meeting_probe.meeting_probe(kit, findings)),
        (federation_probe.ROWS, lambda: federation_probe.federation_probe(kit, findings)),
    ]
    try:
        for rows, probe in probes:
            try:
                await probe()
            except ProbeStopped as stopped:
                log.warning('pilot.probe_stopped row=%s', stopped)
                findings.not_tried(rows, f'not reached: {stopped} broke first')
            except Exception as error:  # an unexpected failure ends this probe, not the pilot
                log.exception('pilot.probe_failed rows=%s', ','.join(rows))
                findings.not_tried(rows, f'not reached: {type(error).__name__}: {error}'[:300])
    finally:
        await kit.close()
    return findings.all()
