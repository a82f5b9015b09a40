"""Bulk insert-or-update on SQLite and PostgreSQL alike.

Statements are executed with a list of parameter sets (executemany), so each one is
compiled once and cached whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _table(target: Any) -> Table:
    """The Table of a mapped class, or the Table itself."""
    table: Table = getattr(target, "__table__", target)
    return table


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def upsert(
    session: Session, target: Any, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert `rows` into `target` (a mapped class or Table), updating where `keys` exist."""
    if not rows:
        return
    table = _table(target)
    stmt = _insert(session, table)
    columns = [c for c in rows[0] if c not in keys]
    if columns:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt, list(rows))


def add_to(
    session: Session,
    target: Any,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    column: str,
) -> None:
    """Add each row's `column` value to the existing row's, inserting rows that are new."""
    if not rows:
        return
    table = _table(target)
    stmt = _insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={column: table.c[column] + stmt.excluded[column]}
    )
    session.execute(stmt, list(rows))
