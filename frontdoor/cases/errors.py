"""Domain errors. Their messages are shown to people, so they are translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise


class DomainError(Exception):
    """A forbidden or invalid action. Nothing was written when this is raised."""

    code = "invalid"

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(DomainError):
    """Bad input, with one or more messages per field ("__all__" for the whole form)."""

    code = "invalid_input"

    def __init__(self, errors: Mapping[str, Sequence[str | Promise]]) -> None:
        self.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        first = next(iter(self.errors.values()))[0]
        super().__init__(first)

    def __str__(self) -> str:
        return "; ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in self.errors.items()
        )


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


class StaleRequest(DomainError):
    code = "stale"


class UnknownService(DomainError):
    code = "unknown_service"
