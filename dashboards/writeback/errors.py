"""Errors of the write-back: each says what was refused, where, and what to do instead."""

from __future__ import annotations

from lakehouse.errors import OnhandError


class WritebackError(OnhandError):
    """Base of every refusal of the write-back."""


class SettingsInvalid(WritebackError):
    """The [writeback] section of the workspace settings file is wrong."""


class LoginFailed(WritebackError):
    """Unknown user, wrong password, or a deactivated account."""


class SessionExpired(WritebackError):
    """The session ended (expired, logged out, account deactivated)."""


class NotAllowed(WritebackError):
    """The acting user lacks the role, or segregation of duties forbids the action."""


class NotFound(WritebackError):
    """No such user, request or backup file."""


class InvalidRequest(WritebackError):
    """A request that breaks a rule: unknown item, zero quantity, missing justification..."""


class AlreadyDecided(WritebackError):
    """The request is no longer pending (approved, posted or rejected meanwhile)."""


class PostingConflict(WritebackError):
    """An inbox file for this request exists with other content."""


class StoreInvalid(WritebackError):
    """The write-back store (or a backup of it) is not one Onhand can use."""
