"""offline points and top-ups

Revision ID: f96b5dac7e65
Revises: e85a4c9b6d54
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = 'f96b5dac7e65'
down_revision: str | None = 'e85a4c9b6d54'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('loyalty_authorisations', sa.Column('points', sa.BigInteger(), nullable=True))
    op.create_table('loyalty_card_points',
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('known_points', sa.BigInteger(), nullable=False),
    sa.Column('offline_points', sa.BigInteger(), nullable=False),
    sa.Column('offline_count', sa.Integer(), nullable=False),
    sa.Column('synced_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('number')
    )
    op.create_table('loyalty_top_ups',
    sa.Column('doc_id', sa.String(length=36), nullable=False),
    sa.Column('top_up_id', sa.String(length=36), nullable=False),
    sa.Column('till', sa.String(length=32), nullable=False),
    sa.Column('business_day', sa.String(length=10), nullable=False),
    sa.Column('cashier', sa.String(length=32), nullable=False),
    sa.Column('card', sa.String(length=30), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('bonus', sa.BigInteger(), nullable=False),
    sa.Column('cash', sa.BigInteger(), nullable=False),
    sa.Column('tenders', sa.Text(), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('doc_id'),
    sa.UniqueConstraint('top_up_id')
    )
    with op.batch_alter_table('loyalty_top_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_top_ups_business_day'), ['business_day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('loyalty_top_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loyalty_top_ups_business_day'))

    op.drop_table('loyalty_top_ups')
    op.drop_table('loyalty_card_points')
    with op.batch_alter_table('loyalty_authorisations', schema=None) as batch_op:
        batch_op.drop_column('points')
