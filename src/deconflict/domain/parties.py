"""Parties (forces or organisations with their own command) and their members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidInput, NotPermitted

__all__ = ["Party", "Member", "Role", "check_identifier"]

_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def check_identifier(value: str, field: str) -> str:
    """Identifiers are short, printable and safe in URLs and file names."""
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise InvalidInput(
            f"{value!r} is not a valid identifier (letters, digits, _ . : -; at most 64)",
            field=field,
        )
    return value


class Role(StrEnum):
    ADMIN = "admin"
    COMMANDER = "commander"
    OFFICER = "officer"
    VIEWER = "viewer"


#: What each role may do on its own party's behalf.
_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({"administer"}),
    Role.COMMANDER: frozenset({"send", "acknowledge", "notify", "declare", "command", "measure"}),
    Role.OFFICER: frozenset({"send", "acknowledge", "notify", "declare", "measure"}),
    Role.VIEWER: frozenset(),
}


@dataclass(frozen=True)
class Party:
    """A force or organisation with its own command, acting for its affiliated forces.

    >>> Party("coalition", "US-led coalition", affiliates=("SDF",)).affiliates
    ('SDF',)
    """

    id: str
    name: str
    affiliates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")
        if not self.name.strip():
            raise InvalidInput("a party needs a name", field="name")


@dataclass(frozen=True)
class Member:
    """A person or system account of a party, with a role."""

    id: str
    party: str
    role: Role
    name: str = ""

    def __post_init__(self) -> None:
        check_identifier(self.id, "id")

    def require(self, permission: str, party: str | None = None) -> None:
        """Raise NotPermitted unless this member may do ``permission`` for ``party``."""
        if party is not None and party != self.party:
            raise NotPermitted(f"member {self.id} of {self.party} cannot act for party {party}")
        if permission not in _PERMISSIONS[self.role]:
            raise NotPermitted(f"a {self.role} ({self.id}) may not {permission}")
