"""Small domain errors. The handlers' one boundary turns them into a short ephemeral reply.

Each carries a message key (see i18n/messages) and the parameters for it, so the reply is
rendered in the user's language, plus the usage key of the command that failed, if any.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


class Phrase:
    """A part of a message that is a message itself (why a value was refused, a status's
    name): its key and parameters, rendered in the reader's language where the whole is, so
    no English is built into a sentence another language reads."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params


@runtime_checkable
class Named(Protocol):
    """Catalogue data with a name in each language (an area, a role): shown in the reader's."""

    def name(self, lang: str) -> str: ...


class RolecallError(Exception):
    """A problem the user can fix; never logged as a crash. A parameter may be a `Phrase`, a
    `Named` or a tuple of them: the boundary renders it in the reader's language."""

    def __init__(self, key: str, /, *, usage: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.usage = usage
        self.params = params


class UsageError(RolecallError):
    """The command text does not parse."""


class NotFound(RolecallError):
    """A named role, area, ticket or person does not exist."""


class NotAllowed(RolecallError):
    """The user may not do this (admin-only, or someone else's item)."""


class Conflict(RolecallError):
    """The change does not fit the current state (e.g. an illegal ticket transition)."""
