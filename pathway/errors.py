"""Domain errors raised by services; the API maps them to HTTP responses, forms to messages."""


class DomainError(Exception):
    """``extra``: more of the conflict for the caller (for example the open tasks a discharge would leave)."""

    status_code = 409
    code = "conflict"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        # More fields of the 409 body beside detail and code (e.g. the criteria not met).
        self.extra = extra or {}
        if code:
            self.code = code


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"


class UnknownState(DomainError):
    status_code = 400
    code = "unknown_state"


class StaleVersion(DomainError):
    code = "stale_version"


class OpenEpisodeExists(DomainError):
    code = "open_episode"


class InvalidInput(DomainError):
    """Bad input found by a service; ``errors`` maps field names to messages."""

    status_code = 400
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]] | str, *, code: str | None = None):
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), code=code)
