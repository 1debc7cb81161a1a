"""The governed write-back: adjustment and item-status requests, approvals with
segregation of duties, posting through the inbox, and a hash-chained audit trail.

Plain Python (no Streamlit): the app's pages and the CLI both call
:class:`Writeback`. See docs/writeback.md.
"""

from dashboards.writeback.demo import DemoAccount, ensure_demo_accounts, login_help
from dashboards.writeback.requests import (
    ADJUSTMENT_REASONS,
    STATUS_REASONS,
    AdjustmentDraft,
    Preview,
    Request,
    StatusDraft,
)
from dashboards.writeback.service import BackupInfo, ReviewRow, Writeback
from dashboards.writeback.settings import Settings
from dashboards.writeback.users import ROLES, Account, Session

__all__ = [
    "ADJUSTMENT_REASONS", "ROLES", "STATUS_REASONS", "Account", "AdjustmentDraft", "BackupInfo",
    "DemoAccount", "Preview", "Request", "ReviewRow", "Session", "Settings", "StatusDraft",
    "Writeback", "ensure_demo_accounts", "login_help",
]
