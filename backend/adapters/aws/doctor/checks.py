"""The doctor's check list and runner: a failed AWS call becomes a red row, and without credentials the AWS checks
are skipped instead of all failing the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from backend.adapters.aws.doctor import connect_checks, recording_checks, service_checks
from backend.adapters.aws.doctor.result import CheckResult, DoctorContext, Status
from backend.adapters.aws.error_messages import AwsCallFailed


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[DoctorContext], CheckResult]
    needs_aws: bool = True


CHECKS: tuple[Check, ...] = (
    Check('configuration', service_checks.check_configuration, needs_aws=False),
    Check('credentials', service_checks.check_credentials),
    Check('region', service_checks.check_region, needs_aws=False),
    Check('connect instance', connect_checks.check_instance),
    Check('chat flow', connect_checks.check_chat_flow),
    Check('queue flow', connect_checks.check_queue_flow),
    Check('voice queue flow', connect_checks.check_voice_queue_flow),
    Check('queue', connect_checks.check_queue),
    Check('approved origins', connect_checks.check_approved_origins),
    Check('chime meetings', service_checks.check_chime),
    Check('dynamodb table', service_checks.check_table),
    Check('cognito app client', service_checks.check_cognito_client),
    Check('recording bucket', recording_checks.check_recording),
)


def run_checks(context: DoctorContext, checks: Sequence[Check] = CHECKS) -> list[CheckResult]:
    results: list[CheckResult] = []
    credentials_ok = True
    for check in checks:
        if check.needs_aws and not credentials_ok:
            results.append(CheckResult.skip(check.name, 'not checked: the AWS credentials do not work'))
            continue
        try:
            result = check.run(context)
        except AwsCallFailed as error:
            result = CheckResult.fail(check.name, str(error), _fix_for(error))
        results.append(result)
        if check.name == 'credentials' and result.status is Status.FAIL:
            credentials_ok = False
    return results


def _fix_for(error: AwsCallFailed) -> str:
    if error.access_denied:
        return f'Allow {error.operation} in the IAM policy of the user or role running the server'
    if error.not_found:
        return 'Check the id/ARN with `vce configure --show` and that it is in this region'
    return 'Try again; if it persists, check the AWS Health Dashboard for the service'
