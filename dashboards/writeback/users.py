"""Accounts, roles and sessions, and the one check every write action starts with.

Roles: a **clerk** proposes, an **approver** approves ordinary requests, a
**controller** approves high-value ones, an **auditor** reads the trail and the
access review, an **admin** manages accounts and backups. Segregation of duties:
an admin never also requests or approves, and an auditor holds no other role.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

import argon2
from argon2 import profiles

from dashboards.writeback import audit, store
from dashboards.writeback.errors import (
    InvalidRequest,
    LoginFailed,
    NotAllowed,
    NotFound,
    SessionExpired,
)
from dashboards.writeback.settings import Settings

ROLES = ("clerk", "approver", "controller", "auditor", "admin")
CAN_REQUEST = frozenset({"clerk", "approver", "controller"})
CAN_APPROVE = frozenset({"approver", "controller"})
CAN_REVIEW = frozenset({"auditor", "controller", "admin"})
CAN_ADMINISTER = frozenset({"admin"})
INCOMPATIBLE: dict[str, frozenset[str]] = {
    "admin": frozenset({"clerk", "approver", "controller", "auditor"}),
    "auditor": frozenset({"clerk", "approver", "controller", "admin"}),
}
MIN_PASSWORD_CHARS = 8


@dataclass(frozen=True)
class Session:
    """Proof of a login. Only the token counts: the store re-checks it on every action."""

    token: str
    user_id: str
    roles: tuple[str, ...]
    expires_at: datetime


@dataclass(frozen=True)
class Actor:
    """The user behind a session, as the store knows them at this moment."""

    user_id: str
    roles: frozenset[str]


@dataclass(frozen=True)
class Account:
    user_id: str
    name: str
    active: bool
    roles: tuple[str, ...]
    created_at: str
    created_by: str
    last_login_at: str | None
    deactivated_at: str | None
    deactivated_by: str | None


def hasher(settings: Settings) -> argon2.PasswordHasher:
    return argon2.PasswordHasher.from_parameters(getattr(profiles, settings.password_profile.upper()))


@functools.cache
def _dummy_hash(profile: str) -> str:
    """Checked for an unknown user, so that it costs as much time as a known one."""
    return argon2.PasswordHasher.from_parameters(getattr(profiles, profile.upper())).hash("nobody's")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def active_roles(con: sqlite3.Connection, user_id: str) -> frozenset[str]:
    rows = con.execute("SELECT role FROM user_roles WHERE user_id = ? AND revoked_at IS NULL",
                       (user_id,)).fetchall()
    return frozenset(r[0] for r in rows)


def authorize(con: sqlite3.Connection, session: Session, allowed: frozenset[str],
              action: str) -> Actor:
    """The acting user, if the session is live and they hold one of ``allowed``; else refuse."""
    row = con.execute(
        "SELECT s.user_id, s.expires_at, s.ended_at, u.active FROM sessions s "
        "JOIN users u USING (user_id) WHERE s.token_hash = ?", (_token_hash(session.token),)
    ).fetchone()
    if row is None or row["ended_at"] is not None or not row["active"]:
        raise SessionExpired("the session has ended", where=f"user {session.user_id}",
                             fix="log in again")
    if store.parse_stamp(row["expires_at"]) <= store.utc_now():
        raise SessionExpired("the session has expired", where=f"user {session.user_id}",
                             fix="log in again")
    roles = active_roles(con, row["user_id"])
    if not roles & allowed:
        held = ", ".join(sorted(roles)) or "no role"
        raise NotAllowed(f"{row['user_id']} ({held}) may not {action}",
                         where="write-back", fix="needs one of the roles: " + ", ".join(sorted(allowed)))
    return Actor(row["user_id"], roles)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidRequest(f"the password is shorter than {MIN_PASSWORD_CHARS} characters",
                             fix="choose a longer password")


def create(con: sqlite3.Connection, settings: Settings, by: str, user_id: str, name: str,
           role: str, password: str) -> None:
    """Create an account with one role (inside the caller's write transaction)."""
    user_id = user_id.strip()
    if not user_id or not user_id.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidRequest(f"'{user_id}' is not a valid user id",
                             fix="use letters, digits, '-', '_' or '.'")
    check_role(role)
    check_password(password)
    if con.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,)).fetchone():
        raise InvalidRequest(f"user {user_id} exists already",
                             fix="grant them a role with `onhand users grant` instead")
    now = store.stamp(store.utc_now())
    con.execute("INSERT INTO users (user_id, name, password_hash, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?)", (user_id, name or user_id, hasher(settings).hash(password), now, by))
    audit.append(con, by, "user_created", user_id, {"name": name or user_id})
    grant(con, by, user_id, role)


def check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidRequest(f"'{role}' is not a role", fix="use one of: " + ", ".join(ROLES))


def grant(con: sqlite3.Connection, by: str, user_id: str, role: str) -> None:
    check_role(role)
    account = _account_row(con, user_id)
    if not account["active"]:
        raise NotAllowed(f"{user_id} is deactivated", fix="create a new account instead")
    if by == user_id:
        raise NotAllowed(f"{by} may not grant a role to themselves", fix="ask another admin")
    held = active_roles(con, user_id)
    if role in held:
        raise InvalidRequest(f"{user_id} already holds {role}")
    clash = sorted((INCOMPATIBLE.get(role, frozenset()) & held)
                   | {h for h in held if role in INCOMPATIBLE.get(h, frozenset())})
    if clash:
        raise NotAllowed(f"{role} and {', '.join(clash)} may not be held by one person "
                         "(segregation of duties)", where=f"user {user_id}",
                         fix="use a separate account for each duty")
    con.execute("INSERT INTO user_roles (user_id, role, granted_at, granted_by) VALUES (?, ?, ?, ?)",
                (user_id, role, store.stamp(store.utc_now()), by))
    audit.append(con, by, "role_granted", user_id, {"role": role})


def revoke(con: sqlite3.Connection, by: str, user_id: str, role: str) -> None:
    check_role(role)
    _account_row(con, user_id)
    if role == "admin" and by == user_id:
        raise NotAllowed(f"{by} may not revoke their own admin role", fix="ask another admin")
    cursor = con.execute("UPDATE user_roles SET revoked_at = ?, revoked_by = ? "
                         "WHERE user_id = ? AND role = ? AND revoked_at IS NULL",
                         (store.stamp(store.utc_now()), by, user_id, role))
    if cursor.rowcount == 0:
        raise InvalidRequest(f"{user_id} does not hold {role}")
    audit.append(con, by, "role_revoked", user_id, {"role": role})


def deactivate(con: sqlite3.Connection, by: str, user_id: str) -> None:
    """End an account: no more logins, its sessions end, its roles are revoked."""
    account = _account_row(con, user_id)
    if not account["active"]:
        raise InvalidRequest(f"{user_id} is deactivated already")
    if by == user_id:
        raise NotAllowed(f"{by} may not deactivate themselves", fix="ask another admin")
    now = store.stamp(store.utc_now())
    roles = sorted(active_roles(con, user_id))
    con.execute("UPDATE users SET active = 0, deactivated_at = ?, deactivated_by = ? WHERE user_id = ?",
                (now, by, user_id))
    con.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", (now, user_id))
    audit.append(con, by, "user_deactivated", user_id, {"roles": roles})
    for role in roles:
        revoke(con, by, user_id, role)


def set_password(con: sqlite3.Connection, settings: Settings, by: str, user_id: str,
                 password: str) -> None:
    _account_row(con, user_id)
    check_password(password)
    con.execute("UPDATE users SET password_hash = ? WHERE user_id = ?",
                (hasher(settings).hash(password), user_id))
    audit.append(con, by, "password_changed", user_id)


def login(con: sqlite3.Connection, settings: Settings, user_id: str,
          password: str) -> Session | LoginFailed:
    """Check the password and open a session; a failure is returned (to be raised after the
    transaction that audits it commits)."""
    row = con.execute("SELECT * FROM users WHERE user_id = ?", (user_id,)).fetchone()
    ph = hasher(settings)
    try:
        ph.verify(row["password_hash"] if row else _dummy_hash(settings.password_profile), password)
        valid = row is not None
    except argon2.exceptions.VerificationError:
        valid = False
    except argon2.exceptions.InvalidHashError:
        valid = False
    if not valid or not row["active"]:
        reason = ("unknown user" if row is None else
                  "deactivated account" if valid else "wrong password")
        audit.append(con, user_id or "?", "login_failed", user_id or "?", {"reason": reason})
        return LoginFailed("login failed: unknown user, wrong password or deactivated account",
                          where=f"user {user_id}", fix="check the user id and password, or ask an admin")
    now = store.utc_now()
    if ph.check_needs_rehash(row["password_hash"]):
        con.execute("UPDATE users SET password_hash = ? WHERE user_id = ?", (ph.hash(password), user_id))
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=settings.session_minutes)
    con.execute("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (_token_hash(token), user_id, store.stamp(now), store.stamp(expires)))
    con.execute("UPDATE users SET last_login_at = ? WHERE user_id = ?", (store.stamp(now), user_id))
    audit.append(con, user_id, "login", user_id, {"expires_at": store.stamp(expires)}, at=now)
    return Session(token, user_id, tuple(sorted(active_roles(con, user_id))), expires)


def logout(con: sqlite3.Connection, session: Session) -> None:
    cursor = con.execute("UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                         (store.stamp(store.utc_now()), _token_hash(session.token)))
    if cursor.rowcount:
        audit.append(con, session.user_id, "logout", session.user_id)


def accounts(con: sqlite3.Connection) -> list[Account]:
    rows = con.execute("SELECT * FROM users ORDER BY user_id").fetchall()
    return [Account(r["user_id"], r["name"], bool(r["active"]),
                    tuple(sorted(active_roles(con, r["user_id"]))), r["created_at"], r["created_by"],
                    r["last_login_at"], r["deactivated_at"], r["deactivated_by"]) for r in rows]


def has_active_admin(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM user_roles r JOIN users u USING (user_id) "
                       "WHERE r.role = 'admin' AND r.revoked_at IS NULL AND u.active").fetchone() is not None


def _account_row(con: sqlite3.Connection, user_id: str) -> sqlite3.Row:
    row = con.execute("SELECT * FROM users WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no user {user_id}", fix="list them with `onhand users list`")
    return row
