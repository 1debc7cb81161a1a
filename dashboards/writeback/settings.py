"""The write-back's settings: the ``[writeback]`` section of the workspace settings file.

Every key is optional; a missing file or section means the defaults below. Money
thresholds are decimals in the company currency (write them as strings or integers:
a TOML float would be read exactly as written, but strings say so).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dashboards.writeback.errors import SettingsInvalid
from lakehouse.workspace import Workspace

PASSWORD_PROFILES = ("rfc_9106_low_memory", "rfc_9106_high_memory", "cheapest")


@dataclass(frozen=True)
class Settings:
    require_login_to_read: bool = False
    """Whether reading the dashboards needs a login (off for a local demo, on when shared)."""
    session_minutes: int = 480
    """How long a login lasts."""
    controller_approval_above: Decimal = Decimal("1000.00")
    """A request whose absolute value impact is above this needs a controller's approval."""
    two_approvers_above: Decimal = Decimal("10000.00")
    """Above this, two different approvers (one of them a controller)."""
    high_value_unit_cost: Decimal = Decimal("500.00")
    """Items whose unit cost is at or above this are high-value: requests need a justification."""
    min_justification_chars: int = 15
    """The shortest justification accepted where one is required."""
    password_profile: str = "rfc_9106_low_memory"
    """Argon2id cost profile for new password hashes ("cheapest" is for tests only)."""

    @classmethod
    def load(cls, ws: Workspace) -> Settings:
        return cls.from_file(ws.settings_file)

    @classmethod
    def from_file(cls, path: Path) -> Settings:
        if not path.exists():
            return cls()
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise SettingsInvalid(f"the settings file is not valid TOML ({error})", where=str(path),
                                  fix="correct the syntax (https://toml.io)") from None
        section = document.get("writeback", {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(section) - set(known))
        if unknown:
            raise SettingsInvalid(f"unknown key(s) in [writeback]: {', '.join(unknown)}",
                                  where=str(path), fix="use only: " + ", ".join(known))
        values: dict[str, object] = {}
        for name, value in section.items():
            default = getattr(cls, name)
            values[name] = _coerce(path, name, value, default)
        settings = cls(**values)  # type: ignore[arg-type]
        settings._check(path)
        return settings

    def _check(self, path: Path) -> None:
        if self.two_approvers_above < self.controller_approval_above:
            raise SettingsInvalid(
                "two_approvers_above is below controller_approval_above", where=str(path),
                fix="make two_approvers_above at least controller_approval_above")
        if self.session_minutes < 1:
            raise SettingsInvalid("session_minutes must be at least 1", where=str(path),
                                  fix="set a positive number of minutes")
        if self.password_profile not in PASSWORD_PROFILES:
            raise SettingsInvalid(f"password_profile '{self.password_profile}' is unknown",
                                  where=str(path), fix="use one of: " + ", ".join(PASSWORD_PROFILES))


def _coerce(path: Path, name: str, value: object, default: object) -> object:
    wrong = SettingsInvalid(f"[writeback] {name} = {value!r} is not a {type(default).__name__}",
                            where=str(path), fix=f"write it like the default, {default!r}")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise wrong
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
        return value
    if isinstance(default, Decimal):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise wrong
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise wrong from None
        if not amount.is_finite() or amount < 0:
            raise wrong
        return amount
    if not isinstance(value, str):
        raise wrong
    return value
