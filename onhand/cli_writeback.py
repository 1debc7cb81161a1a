"""`onhand users`, `onhand writeback` and `onhand audit`: the governed write-back from the shell.

Write commands name the acting user with --user and read the password from
standard input with --password-stdin (one line; `users add` and `users passwd`
read a second line: the new password). Without --password-stdin the password is
asked for on the terminal. Every check (role, segregation of duties, approval
rules) is in dashboards.writeback, not here.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dashboards.writeback import (
    ADJUSTMENT_REASONS,
    ROLES,
    STATUS_REASONS,
    AdjustmentDraft,
    Preview,
    Request,
    Session,
    StatusDraft,
    Writeback,
)
from lakehouse.errors import OnhandError
from lakehouse.workspace import Workspace
from onhand.cli_support import HomeOption, console, handled

users_app = typer.Typer(name="users", help="Write-back accounts and roles; the access review.",
                        no_args_is_help=True)
writeback_app = typer.Typer(name="writeback", no_args_is_help=True,
                            help="Stock adjustments and item status changes, with approvals.")
audit_app = typer.Typer(name="audit", help="The write-back's tamper-evident audit trail.",
                        no_args_is_help=True)

UserOption = Annotated[str, typer.Option("--user", help="The acting user.")]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from standard input (one line) instead of asking.")]
TIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"]


class PasswordMissing(OnhandError):
    """--password-stdin was given but standard input had no line for it."""


def register(app: typer.Typer) -> None:
    """Add the write-back's command groups to the `onhand` app."""
    for group in (users_app, writeback_app, audit_app):
        app.add_typer(group)


def _passwords(from_stdin: bool, prompts: list[str]) -> list[str]:
    if not from_stdin:
        return [typer.prompt(p, hide_input=True) for p in prompts]
    lines = sys.stdin.read().splitlines()
    if len(lines) < len(prompts):
        raise PasswordMissing(f"standard input has {len(lines)} line(s), {len(prompts)} needed "
                              f"({', '.join(prompts)})", where="--password-stdin",
                              fix="send one password per line")
    return lines[: len(prompts)]


def _open(home: Path | None) -> Writeback:
    return Writeback(Workspace.resolve(home))


def _login(wb: Writeback, user: str, from_stdin: bool) -> Session:
    (password,) = _passwords(from_stdin, [f"password of {user}"])
    return wb.login(user, password)


def _stamp(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


# ---------------------------------------------------------------------------- users
@users_app.command("add")
@handled
def users_add(
    new_user: Annotated[str, typer.Argument(metavar="USER", help="The new account's user id.")],
    role: Annotated[str, typer.Option("--role", help="One of: " + ", ".join(ROLES))],
    name: Annotated[str, typer.Option("--name", help="Full name (default: the user id).")] = "",
    user: Annotated[str | None, typer.Option("--user", help="The acting admin (not needed for the very first admin).", show_default=False)] = None,
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
) -> None:
    """Create an account with a role. The first account of a store must be an admin.

    With --password-stdin: line 1 is the acting admin's password (when --user is
    given), the next line the new account's password.
    """
    wb = _open(home)
    prompts = ([f"password of {user}"] if user else []) + [f"new password for {new_user}"]
    passwords = _passwords(password_stdin, prompts)
    session = wb.login(user, passwords[0]) if user else None
    wb.add_user(session, new_user, role, passwords[-1], name)
    console.print(f"Created {new_user} ({role}).")


@users_app.command("list")
@handled
def users_list(user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None) -> None:
    """List the accounts with their current roles (auditor, controller or admin)."""
    wb = _open(home)
    table = Table("user", "name", "active", "roles", "created", "last login", "left")
    for a in wb.accounts(_login(wb, user, password_stdin)):
        table.add_row(a.user_id, a.name, "yes" if a.active else "no", ", ".join(a.roles),
                      a.created_at[:19], (a.last_login_at or "")[:19], (a.deactivated_at or "")[:19])
    console.print(table)


@users_app.command("grant")
@handled
def users_grant(
    target: Annotated[str, typer.Argument(metavar="USER")],
    role: Annotated[str, typer.Option("--role", help="One of: " + ", ".join(ROLES))],
    user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Grant a role (admin). Roles that segregation of duties keeps apart are refused."""
    wb = _open(home)
    wb.grant(_login(wb, user, password_stdin), target, role)
    console.print(f"Granted {role} to {target}.")


@users_app.command("revoke")
@handled
def users_revoke(
    target: Annotated[str, typer.Argument(metavar="USER")],
    role: Annotated[str, typer.Option("--role", help="The role to take away.")],
    user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Revoke a role (admin); the change is audited."""
    wb = _open(home)
    wb.revoke(_login(wb, user, password_stdin), target, role)
    console.print(f"Revoked {role} from {target}.")


@users_app.command("deactivate")
@handled
def users_deactivate(
    target: Annotated[str, typer.Argument(metavar="USER")],
    user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Deactivate an account (admin): no more logins, sessions end, roles revoked."""
    wb = _open(home)
    wb.deactivate(_login(wb, user, password_stdin), target)
    console.print(f"Deactivated {target}.")


@users_app.command("passwd")
@handled
def users_passwd(
    target: Annotated[str, typer.Argument(metavar="USER")],
    user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Change a password: your own, or anyone's as an admin (stdin: yours, then the new one)."""
    wb = _open(home)
    current, new = _passwords(password_stdin, [f"password of {user}", f"new password for {target}"])
    wb.set_password(wb.login(user, current), target, new)
    console.print(f"Changed the password of {target}.")


@users_app.command("review")
@handled
def users_review(user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None) -> None:
    """The access review: users, roles, last login, and anything done or posted after leaving."""
    wb = _open(home)
    rows = wb.access_review(_login(wb, user, password_stdin))
    table = Table("user", "active", "roles", "revoked", "last login", "left", "requests",
                  "approvals", "actions after leaving", "postings after leaving",
                  "ledger postings after leaving")
    for r in rows:
        ledger = "-" if r.ledger_postings_after_leaving is None else str(r.ledger_postings_after_leaving)
        table.add_row(r.user_id, "yes" if r.active else "no", ", ".join(r.roles),
                      ", ".join(r.revoked_roles), (r.last_login_at or "")[:19],
                      (r.deactivated_at or "")[:19], str(r.requests), str(r.approvals),
                      str(r.actions_after_leaving), str(r.postings_after_leaving), ledger)
    console.print(table)
    findings = [r.user_id for r in rows if r.finding]
    console.print(f"Findings: {', '.join(findings)}" if findings else "No activity after leaving.")


# ---------------------------------------------------------------------------- writeback
def _print_preview(p: Preview) -> None:
    table = Table("", "", show_header=False)
    rows = [("item", f"{p.item_id} ({p.description}), {p.from_status}"
             + (", regulated" if p.regulated else "") + (", high-value" if p.high_value else ""))]
    if p.kind == "adjustment":
        rows += [("where", f"{p.location_id} (site {p.site_id})" + (f", lot {p.lot_id}" if p.lot_id else "")),
                 ("change", f"{p.qty:+f} {p.uom}: {p.stock_qty} -> {p.stock_qty_after}")]
    else:
        rows += [("change", f"{p.from_status} -> {p.to_status}; stock {p.stock_qty} {p.uom}")]
    rows += [("unit cost", f"{p.unit_cost} ({p.unit_cost_source})"),
             ("value impact", f"{p.value_impact}"), ("needs", p.approval_rule)]
    rows += [("warning", w) for w in p.warnings]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)


@writeback_app.command("request")
@handled
def writeback_request(
    user: UserOption,
    item: Annotated[str, typer.Option("--item", help="Item id.")],
    reason: Annotated[str, typer.Option("--reason", help="Reason code. Adjustments: " + ", ".join(ADJUSTMENT_REASONS) + ". Status changes: " + ", ".join(STATUS_REASONS) + ".")],
    location: Annotated[str | None, typer.Option("--location", help="Location (bin) of the adjustment.", show_default=False)] = None,
    qty: Annotated[str | None, typer.Option("--qty", help="Signed change in the item's base unit: + found, - missing.", show_default=False)] = None,
    lot: Annotated[str | None, typer.Option("--lot", help="Lot (required for lot-tracked items).", show_default=False)] = None,
    to_status: Annotated[str | None, typer.Option("--to-status", help="Request a status change instead: active, quarantine, blocked or obsolete.", show_default=False)] = None,
    justification: Annotated[str | None, typer.Option("--justification", help="Why (required for regulated and high-value items).", show_default=False)] = None,
    count: Annotated[str | None, typer.Option("--count", help="Evidence: the cycle count id.", show_default=False)] = None,
    finding: Annotated[str | None, typer.Option("--finding", help="Evidence: the audit finding id.", show_default=False)] = None,
    occurred_at: Annotated[datetime | None, typer.Option("--occurred-at", help="When the difference arose (UTC; default: the count's time, else now).", formats=TIME_FORMATS, show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show the preview.")] = False,
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
) -> None:
    """Request a stock adjustment (--location, --qty) or an item status change (--to-status).

    Shows the value impact and who must approve; the new request's id is the last line.
    """
    if count and finding:
        raise typer.BadParameter("give one piece of evidence: --count or --finding")
    kind, evidence = ("cycle_count", count) if count else ("audit_finding", finding) if finding else (None, None)
    if to_status and (location or qty):
        raise typer.BadParameter("a status change takes no --location or --qty")
    if not to_status and (not location or qty is None):
        raise typer.BadParameter("an adjustment needs --location and --qty (or give --to-status)")
    wb = _open(home)
    session = _login(wb, user, password_stdin)
    if to_status:
        draft: AdjustmentDraft | StatusDraft = StatusDraft(item, to_status, reason, justification, kind, evidence)
        preview = wb.preview_status_change(session, draft)
    else:
        draft = AdjustmentDraft(item, location or "", qty or "", reason, lot, justification, kind, evidence,
                                _stamp(occurred_at))
        preview = wb.preview_adjustment(session, draft)
    _print_preview(preview)
    if dry_run:
        return
    request = (wb.request_status_change(session, draft) if isinstance(draft, StatusDraft)
               else wb.request_adjustment(session, draft))
    console.print(f"Requested; waiting for {preview.approval_rule}.")
    typer.echo(request.request_id)


def _print_decision(request: Request) -> None:
    if request.state == "posted":
        console.print(f"{request.request_id} approved by {', '.join(request.approvers)} and posted: "
                      f"{request.posted_file} (in the ledger after the next ingest and build).")
    elif request.state == "pending":
        console.print(f"{request.request_id}: approval {len(request.approvers)} of "
                      f"{request.approvals_needed} recorded; waiting for another approver.")
    else:
        console.print(f"{request.request_id} is {request.state}.")


@writeback_app.command("approve")
@handled
def writeback_approve(
    request_id: Annotated[str, typer.Argument(metavar="ID")],
    user: UserOption,
    comment: Annotated[str | None, typer.Option("--comment", help="A note kept with the approval.", show_default=False)] = None,
    password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Approve a request; with every approval it needs it is posted to the inbox."""
    wb = _open(home)
    _print_decision(wb.approve(_login(wb, user, password_stdin), request_id, comment))


@writeback_app.command("reject")
@handled
def writeback_reject(
    request_id: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the requester (required).")],
    user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Reject a request, with its reason."""
    wb = _open(home)
    request = wb.reject(_login(wb, user, password_stdin), request_id, reason)
    console.print(f"{request.request_id} rejected: {request.rejection_reason}")


@writeback_app.command("list")
@handled
def writeback_list(
    user: UserOption,
    state: Annotated[str | None, typer.Option("--state", help="Only: pending, approved, posted or rejected.", show_default=False)] = None,
    password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """List requests, newest first, with their state."""
    wb = _open(home)
    table = Table("id", "state", "what", "value", "reason", "requested by", "requested",
                  "approved by", "needs", "note")
    for r in wb.requests(_login(wb, user, password_stdin), state):
        needs = f"{r.approvals_needed}" + (" incl. controller" if r.controller_needed else "")
        table.add_row(r.request_id, r.state, r.summary, f"{r.value_impact}", r.reason_code,
                      r.requested_by, r.requested_at[:19], ", ".join(r.approvers), needs,
                      r.rejection_reason or r.posted_file or "")
    console.print(table)


@writeback_app.command("post")
@handled
def writeback_post(user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None) -> None:
    """Post approved requests whose posting was interrupted (safe to repeat)."""
    wb = _open(home)
    posted = wb.post_approved(_login(wb, user, password_stdin))
    console.print(f"Posted {len(posted)} request(s)" + (": " + ", ".join(r.request_id for r in posted)
                                                       if posted else "."))


@writeback_app.command("backup")
@handled
def writeback_backup(
    target: Annotated[Path, typer.Argument(metavar="FILE", help="The backup file to write (must not exist).")],
    user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Back up the write-back store while it is in use (SQLite online backup; admin)."""
    wb = _open(home)
    info = wb.backup(_login(wb, user, password_stdin), target)
    console.print(f"Backed up to {info.path}; audit head {info.head} (keep it to check the trail later).")


@writeback_app.command("restore")
@handled
def writeback_restore(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="A backup written by `onhand writeback backup`.")],
    user: UserOption, password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Replace the write-back store with a backup (admin); the replaced store is kept aside."""
    wb = _open(home)
    info = wb.restore(_login(wb, user, password_stdin), source)
    console.print(f"Restored from {info.path}; audit head {info.head}.")


# ---------------------------------------------------------------------------- audit
@audit_app.command("verify")
@handled
def audit_verify(
    expect: Annotated[str | None, typer.Option("--expect", help="A head recorded earlier (SEQ:HASH) that must still be in the chain.", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Check the audit trail's hash chain: exits 1 if any entry was edited, deleted or reordered."""
    report = _open(home).verify(expect)
    for problem in report.problems:
        console.print(f"[bold red]tampered:[/] {problem}", highlight=False)
    if not report.ok:
        console.print(f"The audit trail of {report.path} does NOT verify ({len(report.problems)} problem(s)).")
        raise typer.Exit(1)
    console.print(f"The audit trail verifies: {report.entries} entries, head {report.head}.")


@audit_app.command("log")
@handled
def audit_log(
    user: UserOption,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this user's actions.", show_default=False)] = None,
    action: Annotated[str | None, typer.Option("--action", help="Only this action (requested, approved, login...).", show_default=False)] = None,
    target: Annotated[str | None, typer.Option("--target", help="Only entries about this request or user.", show_default=False)] = None,
    since: Annotated[datetime | None, typer.Option("--since", help="From this UTC moment.", formats=TIME_FORMATS, show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", help="The newest N entries.")] = 200,
    password_stdin: PasswordStdin = False, home: HomeOption = None,
) -> None:
    """Show the audit trail (auditor, controller or admin), oldest of the selection first."""
    wb = _open(home)
    entries = wb.audit_trail(_login(wb, user, password_stdin), actor=actor, action=action,
                             target=target, since=_stamp(since), limit=limit)
    table = Table("seq", "at (UTC)", "actor", "action", "target", "details")
    for e in entries:
        table.add_row(str(e.seq), e.at[:19], e.actor, e.action, e.target, e.details)
    console.print(table)
