"""Domain errors raised by services and turned into pages or API answers by the app."""


class DomainError(Exception):
    """Base for expected failures a user can act on."""


class ValidationFailed(DomainError):
    """Input broke a rule: field name ("" for the whole form) → translated reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(DomainError):
    """The thing does not exist, or the user may not know that it does."""


class Forbidden(DomainError):
    """The user is known but may not do this."""


class Conflict(DomainError):
    """Someone else changed the record since it was read."""
