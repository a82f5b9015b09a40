"""promotion usage counters

Revision ID: a41c0e5d2f10
Revises: 7e047d03ab7a
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = 'a41c0e5d2f10'
down_revision: str | None = '7e047d03ab7a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('promotion_member_usage',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('promotion_id', sa.String(length=64), nullable=False),
    sa.Column('times', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('member_id', 'promotion_id')
    )
    op.create_table('promotion_usage',
    sa.Column('promotion_id', sa.String(length=64), nullable=False),
    sa.Column('store_code', sa.String(length=16), nullable=False),
    sa.Column('times', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('promotion_id', 'store_code')
    )


def downgrade() -> None:
    op.drop_table('promotion_usage')
    op.drop_table('promotion_member_usage')
