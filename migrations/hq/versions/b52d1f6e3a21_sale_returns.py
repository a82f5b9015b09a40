"""sale returns

Revision ID: b52d1f6e3a21
Revises: a41c0e5d2f10
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = 'b52d1f6e3a21'
down_revision: str | None = 'a41c0e5d2f10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sale_returns',
    sa.Column('doc_id', sa.String(length=36), nullable=False),
    sa.Column('sale_doc_id', sa.String(length=36), nullable=False),
    sa.Column('store_code', sa.String(length=16), nullable=False),
    sa.Column('till_code', sa.String(length=32), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('refund', sa.Integer(), nullable=False),
    sa.Column('paid_out', sa.Integer(), nullable=False),
    sa.Column('cashier', sa.String(length=32), nullable=False),
    sa.Column('approved_by', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('doc_id')
    )
    with op.batch_alter_table('sale_returns', schema=None) as batch_op:
        batch_op.create_index('ix_sale_returns_day_store', ['business_day', 'store_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_returns_sale_doc_id'), ['sale_doc_id'], unique=False)

    op.create_table('sale_return_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('doc_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=32), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('stock_qty', sa.Integer(), nullable=False),
    sa.Column('refund', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['doc_id'], ['sale_returns.doc_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sale_return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_return_lines_doc_id'), ['doc_id'], unique=False)

    with op.batch_alter_table('loyalty_spend', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_spend_document', ['document'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('loyalty_spend', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_spend_document')
    with op.batch_alter_table('sale_return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_return_lines_doc_id'))
    op.drop_table('sale_return_lines')
    with op.batch_alter_table('sale_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_returns_sale_doc_id'))
        batch_op.drop_index('ix_sale_returns_day_store')
    op.drop_table('sale_returns')
