"""Errors that carry a message fit to show to the person who caused them."""


class DomainError(Exception):
    """Base class: ``str(error)`` is a clear, user-facing sentence."""


class InvalidInput(DomainError):
    """The input was refused; nothing was changed."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not yours to see)."""


class NotAllowed(DomainError):
    """The action is not allowed in the current state or for this user."""


class ExternalServiceError(DomainError):
    """A call to an outside service (AWS) failed; the message names the call, what it said and what to do."""
