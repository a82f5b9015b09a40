"""top-ups

Revision ID: 2c9e8adfab98
Revises: 1b8d7fce9a87
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = '2c9e8adfab98'
down_revision: str | None = '1b8d7fce9a87'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('till_top_ups',
    sa.Column('top_up_id', sa.String(length=36), nullable=False),
    sa.Column('doc_id', sa.String(length=36), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('cashier', sa.String(length=32), nullable=False),
    sa.Column('card', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('top_up_id'),
    sa.UniqueConstraint('doc_id'),
    sa.UniqueConstraint('receipt_no')
    )
    with op.batch_alter_table('till_top_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_till_top_ups_business_day'), ['business_day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('till_top_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_till_top_ups_business_day'))

    op.drop_table('till_top_ups')
