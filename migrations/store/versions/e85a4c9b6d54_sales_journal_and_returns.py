"""sales journal and returns

Revision ID: e85a4c9b6d54
Revises: d74f3b8a5c43
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = 'e85a4c9b6d54'
down_revision: str | None = 'd74f3b8a5c43'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('store_sales',
    sa.Column('doc_id', sa.String(length=36), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('receipt_no', sa.String(length=40), nullable=False),
    sa.Column('till', sa.String(length=32), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('doc_id'),
    sa.UniqueConstraint('receipt_no'),
    sa.UniqueConstraint('sale_id')
    )
    with op.batch_alter_table('store_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_sales_business_day'), ['business_day'], unique=False)

    op.create_table('store_returns',
    sa.Column('doc_id', sa.String(length=36), nullable=False),
    sa.Column('sale_doc_id', sa.String(length=36), nullable=False),
    sa.Column('till', sa.String(length=32), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('refund', sa.Integer(), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('doc_id')
    )
    with op.batch_alter_table('store_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_returns_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_store_returns_sale_doc_id'), ['sale_doc_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('store_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_returns_sale_doc_id'))
        batch_op.drop_index(batch_op.f('ix_store_returns_business_day'))
    op.drop_table('store_returns')
    with op.batch_alter_table('store_sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_sales_business_day'))
    op.drop_table('store_sales')
