"""Credentials: how a member proves who it is. Only a token's SHA-256 is ever kept."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime

from .errors import Conflicting

__all__ = ["Credential", "token_digest", "fingerprint"]


def token_digest(token: str) -> str:
    """SHA-256 of a bearer token, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def fingerprint(digest: str) -> str:
    """The short id a credential is filed under (the first 16 hex digits of its digest)."""
    return "K-" + digest[:16]


@dataclass(frozen=True)
class Credential:
    """A member's bearer token, as its digest; revoked credentials stay on record."""

    id: str
    member: str
    party: str
    token_sha256: str
    issued_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def matches(self, digest: str) -> bool:
        return self.active and hmac.compare_digest(self.token_sha256, digest)

    def revoked(self, at: datetime) -> Credential:
        if not self.active:
            raise Conflicting(f"credential {self.id} is already revoked")
        return replace(self, revoked_at=at)
