"""The sync status every tier reports at `GET /api/v1/sync/status`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chainpos.sync import outbox, receiver
from chainpos.sync.feed import cursor_status, head_version
from chainpos.sync.models import SyncTables
from chainpos.sync.state import get_state


def sync_status(session: Session, tables: SyncTables, tier: str) -> dict[str, Any]:
    return {
        "tier": tier,
        "outbox_depth": outbox.depth(session, tables),
        "last_push_ok": get_state(session, tables, "last_push_ok"),
        "last_push_error": get_state(session, tables, "last_push_error"),
        "last_pull_ok": get_state(session, tables, "last_pull_ok"),
        "feed_cursor": cursor_status(session, tables),
        "feed_head": head_version(session, tables),
        "origins": receiver.origins_summary(session, tables),
        "gaps": receiver.gaps(session, tables),
        "quarantined": outbox.quarantined(session, tables),
    }
