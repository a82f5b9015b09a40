"""promotion usage copy

Revision ID: d74f3b8a5c43
Revises: b3af39a35f0c
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = 'd74f3b8a5c43'
down_revision: str | None = 'b3af39a35f0c'
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
