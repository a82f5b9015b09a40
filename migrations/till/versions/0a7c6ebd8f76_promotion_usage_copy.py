"""promotion usage copy

Revision ID: 0a7c6ebd8f76
Revises: 80c9c71404fb
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = '0a7c6ebd8f76'
down_revision: str | None = '80c9c71404fb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('catalog_promotion_usage',
    sa.Column('promotion_id', sa.String(length=64), nullable=False),
    sa.Column('chain', sa.BigInteger(), nullable=False),
    sa.Column('stores', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('promotion_id')
    )


def downgrade() -> None:
    op.drop_table('catalog_promotion_usage')
