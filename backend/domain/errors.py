"""Errors that carry a message fit to show to the person who caused them."""


class DomainError(Exception):
    """Base class: ``str(error)`` is a clear, user-facing sentence."""


class InvalidInput(DomainError):
    """The input was refused; nothing was changed."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not yours to see)."""


class NotAllowed(DomainError):
    """The action is not allowed in the current state or for this user."""


class RateLimited(InvalidInput):
    """Too many attempts from one client; the message says when to try again and nothing else."""


class StoreUnavailable(DomainError):
    """The store (e.g. DynamoDB) failed or refused after its retries; nothing was changed by the failed call."""


class DataFileUnusable(DomainError):
    """Local mode's data file cannot be used as it is; the message names the file, why, and what to do about it."""


class ServiceUnavailable(DomainError):
    """A service we depend on (e.g. Amazon Connect) failed or refused; nothing was changed.

    ``str(error)`` is fit for the person who acted; ``detail`` tells an operator what failed and how to fix it.
    """

    def __init__(self, message: str, *, detail: str = '') -> None:
        super().__init__(message)
        self.detail = detail


class ExternalServiceError(DomainError):
    """A call to an outside service (AWS) failed; the message names the call, what it said and what to do."""


class DataFolderInUse(DomainError):
    """Another process serves local mode from the same data folder (local mode is one process per folder)."""
