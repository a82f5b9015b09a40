"""returns

Revision ID: 1b8d7fce9a87
Revises: 0a7c6ebd8f76
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = '1b8d7fce9a87'
down_revision: str | None = '0a7c6ebd8f76'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('till_returns',
    sa.Column('return_id', sa.String(length=36), nullable=False),
    sa.Column('doc_id', sa.String(length=36), nullable=False),
    sa.Column('sale_doc_id', sa.String(length=36), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('cashier', sa.String(length=32), nullable=False),
    sa.Column('refund', sa.Integer(), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('return_id'),
    sa.UniqueConstraint('doc_id'),
    sa.UniqueConstraint('receipt_no')
    )
    with op.batch_alter_table('till_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_till_returns_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_till_returns_sale_doc_id'), ['sale_doc_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('till_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_till_returns_sale_doc_id'))
        batch_op.drop_index(batch_op.f('ix_till_returns_business_day'))
    op.drop_table('till_returns')
