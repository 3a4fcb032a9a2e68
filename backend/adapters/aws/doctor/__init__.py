"""``vce doctor``'s checks: each is a small function that looks at one thing and returns a CheckResult with a fix."""

from backend.adapters.aws.doctor.checks import CHECKS, run_checks
from backend.adapters.aws.doctor.result import CheckResult, DoctorContext, Status

__all__ = ['CHECKS', 'CheckResult', 'DoctorContext', 'Status', 'run_checks']
