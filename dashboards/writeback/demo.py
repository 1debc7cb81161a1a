"""Demo accounts: one per role, for `onhand demo` on a local machine.

Their passwords are printed and written in the docs: never use them on a shared
deployment (create real accounts with `onhand users add` instead).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboards.writeback import store, users
from dashboards.writeback.settings import Settings
from lakehouse.workspace import Workspace

DEMO_ACTOR = "onhand-demo"


@dataclass(frozen=True)
class DemoAccount:
    user_id: str
    role: str
    password: str


def demo_accounts() -> list[DemoAccount]:
    return [DemoAccount(f"demo-{role}", role, f"{role}-demo-pass") for role in users.ROLES]


def ensure_demo_accounts(ws: Workspace) -> list[DemoAccount]:
    """Create the demo account of each role that does not exist yet; return them all."""
    settings = Settings.load(ws)
    accounts = demo_accounts()
    with store.opened(ws.writeback_db) as con, store.immediate(con):
        existing = {r[0] for r in con.execute("SELECT user_id FROM users")}
        for account in accounts:
            if account.user_id not in existing:
                users.create(con, settings, DEMO_ACTOR, account.user_id,
                             f"Demo {account.role}", account.role, account.password)
    return accounts


def login_help(accounts: list[DemoAccount]) -> str:
    """How to log in with the demo accounts (app and CLI), for the demo's closing message."""
    lines = ["Demo accounts (local demo only; passwords are public):"]
    lines += [f"  {a.role:<10} {a.user_id:<16} password {a.password}" for a in accounts]
    lines.append("Log in from the app's sidebar, or on the command line, e.g.:")
    clerk = next(a for a in accounts if a.role == "clerk")
    lines.append(f"  echo {clerk.password} | onhand writeback list --user {clerk.user_id} "
                 "--password-stdin")
    return "\n".join(lines)
