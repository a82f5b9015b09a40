"""points gift catalog

Revision ID: d1a4b7c0e2f3
Revises: c63e2a7f4b32
Create Date: 2026-11-26 11:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = 'd1a4b7c0e2f3'
down_revision: str | None = 'c63e2a7f4b32'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('loyalty_gifts',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('sku', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('updated_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['products.sku'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('loyalty_gift_redemptions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('document', sa.String(length=64), nullable=False),
    sa.Column('gift_code', sa.String(length=32), nullable=False),
    sa.Column('sku', sa.String(length=32), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('card_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('store_code', sa.String(length=16), nullable=True),
    sa.Column('till_code', sa.String(length=32), nullable=True),
    sa.Column('staff_code', sa.String(length=32), nullable=True),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('handed_over_in', sa.String(length=36), nullable=True),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['loyalty_accounts.id'], ),
    sa.ForeignKeyConstraint(['gift_code'], ['loyalty_gifts.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document')
    )
    with op.batch_alter_table('loyalty_gift_redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_gift_redemptions_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_loyalty_gift_redemptions_day_store', ['business_day', 'store_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('loyalty_gift_redemptions', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_gift_redemptions_day_store')
        batch_op.drop_index(batch_op.f('ix_loyalty_gift_redemptions_account_id'))

    op.drop_table('loyalty_gift_redemptions')
    op.drop_table('loyalty_gifts')
