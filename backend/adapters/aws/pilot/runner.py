"""``vce doctor --pilot``: the live smoke test on a sandbox instance, one probe after another, a verdict per row of
docs/aws/fidelity.md. A probe that breaks stops itself (its later rows are "not tried") but not the others."""

from __future__ import annotations

import logging

from backend.adapters.aws.pilot.chat_probe import chat_probe
from backend.adapters.aws.pilot.federation_probe import federation_probe
from backend.adapters.aws.pilot.findings import Finding, Findings
from backend.adapters.aws.pilot.kit import PilotKit
from backend.adapters.aws.pilot.meeting_probe import meeting_probe
from backend.adapters.aws.pilot.reference_probe import reference_probe
from backend.adapters.aws.pilot.steps import ProbeStopped

log = logging.getLogger('vce.aws.pilot')


async def run_pilot(kit: PilotKit) -> list[Finding]:
    findings = Findings()
    plain_priority: int | None = None
    try:
        try:
            plain_priority = await chat_probe(kit, findings)
        except ProbeStopped as stopped:
            log.warning('pilot.chat_stopped row=%s', stopped)
        for probe in (lambda: reference_probe(kit, findings, plain_priority), lambda: meeting_probe(kit, findings),
                      lambda: federation_probe(kit, findings)):
            try:
                await probe()
            except ProbeStopped as stopped:
                log.warning('pilot.probe_stopped row=%s', stopped)
    finally:
        await kit.close()
    return findings.all()
