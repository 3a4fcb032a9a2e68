"""Turn botocore failures into one sentence an operator can act on (which call, what AWS said, what to do)."""

from __future__ import annotations

from backend.domain.errors import ExternalServiceError

try:
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ParamValidationError,
    )
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('aws mode needs boto3: pip install "video-call-escalation[aws]"') from error

ACCESS_DENIED = {'AccessDenied', 'AccessDeniedException', 'ForbiddenException', 'UnauthorizedException',
                 'UnauthorizedOperation', 'UnrecognizedClientException', 'NotAuthorizedException'}
THROTTLED = {'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException',
             'RequestLimitExceeded', 'ProvisionedThroughputExceededException'}
NOT_FOUND = {'ResourceNotFoundException', 'NotFoundException', 'ParameterNotFound', 'NoSuchEntity'}


class AwsCallFailed(ExternalServiceError):
    """An AWS call failed after botocore's retries; ``code`` is AWS's error code (or the botocore error's name)."""

    def __init__(self, message: str, *, operation: str, code: str) -> None:
        super().__init__(message)
        self.operation = operation
        self.code = code

    @property
    def access_denied(self) -> bool:
        return self.code in ACCESS_DENIED

    @property
    def not_found(self) -> bool:
        return self.code in NOT_FOUND


def error_code(error: BaseException) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get('Error', {}).get('Code') or 'Unknown')
    return type(error).__name__


def describe(operation: str, error: BaseException) -> AwsCallFailed:
    """A clear AwsCallFailed for ``error`` raised by ``operation`` (e.g. ``ssm:PutParameter``)."""
    code = error_code(error)
    if isinstance(error, ClientError):
        said = error.response.get('Error', {}).get('Message') or 'no message'
        request_id = error.response.get('ResponseMetadata', {}).get('RequestId')
        said += f' (request id {request_id})' if request_id else ''
        if code in ACCESS_DENIED:
            hint = f'give the IAM user or role you run as permission for {operation}'
        elif code in THROTTLED:
            hint = 'AWS throttled the call and the retries did not get through; try again in a minute'
        elif code in NOT_FOUND:
            hint = 'check the id, name or ARN in your configuration (`vce configure --show`) and the region'
        else:
            hint = ''
        message = f'{operation} failed: {code}: {said}' + (f' — {hint}' if hint else '')
    elif isinstance(error, NoCredentialsError):
        message = (f'{operation} failed: no AWS credentials found — set AWS_PROFILE, or AWS_ACCESS_KEY_ID and '
                   'AWS_SECRET_ACCESS_KEY, or run where an instance/task role is attached')
    elif isinstance(error, NoRegionError):
        message = f'{operation} failed: no AWS region — set VCE_AWS_REGION or pass --region'
    elif isinstance(error, EndpointConnectionError):
        message = f'{operation} failed: cannot reach the AWS endpoint ({error}) — check the region and the network'
    elif isinstance(error, ParamValidationError):
        message = f'{operation} failed: a value does not fit the AWS API: {error}'
    elif isinstance(error, BotoCoreError):
        message = f'{operation} failed: {type(error).__name__}: {error}'
    else:
        message = f'{operation} failed: {error}'
    return AwsCallFailed(message, operation=operation, code=code)


AWS_ERRORS = (ClientError, BotoCoreError)
