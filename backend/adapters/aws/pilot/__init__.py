"""``vce doctor --pilot``: the live smoke test of aws mode on a sandbox instance (docs/aws/fidelity.md)."""

from backend.adapters.aws.pilot.findings import Finding, Verdict
from backend.adapters.aws.pilot.kit import PilotKit, PilotPlan
from backend.adapters.aws.pilot.rows import ROWS
from backend.adapters.aws.pilot.runner import run_pilot

__all__ = ['ROWS', 'Finding', 'PilotKit', 'PilotPlan', 'Verdict', 'run_pilot']
