"""loyalty events: enrolment, referrals, tier reviews

Revision ID: c63e2a7f4b32
Revises: b52d1f6e3a21
Create Date: 2026-11-26 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import chainpos.db


revision: str = 'c63e2a7f4b32'
down_revision: str | None = 'b52d1f6e3a21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('loyalty_tier_review_runs',
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('policy', sa.String(length=16), nullable=False),
    sa.Column('after_member', sa.String(length=36), nullable=False),
    sa.Column('reviewed', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('started_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', chainpos.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('period')
    )
    op.create_table('loyalty_member_spend',
    sa.Column('document', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('store_code', sa.String(length=16), nullable=True),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['loyalty_members.id'], ),
    sa.PrimaryKeyConstraint('document')
    )
    with op.batch_alter_table('loyalty_member_spend', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_member_spend_member_day', ['member_id', 'business_day'], unique=False)

    op.create_table('loyalty_referral_rewards',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('referrer_id', sa.String(length=36), nullable=False),
    sa.Column('referred_id', sa.String(length=36), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('bonus', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('card_id', sa.String(length=36), nullable=True),
    sa.Column('account_id', sa.String(length=36), nullable=True),
    sa.Column('document', sa.String(length=64), nullable=False),
    sa.Column('store_code', sa.String(length=16), nullable=True),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referred_id'], ['loyalty_members.id'], ),
    sa.ForeignKeyConstraint(['referrer_id'], ['loyalty_members.id'], ),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('loyalty_referral_rewards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_referral_rewards_referred_id'), ['referred_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loyalty_referral_rewards_referrer_id'), ['referrer_id'], unique=False)

    op.create_table('loyalty_tier_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('from_tier', sa.String(length=16), nullable=False),
    sa.Column('to_tier', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=True),
    sa.Column('rolling_spend', sa.BigInteger(), nullable=False),
    sa.Column('document', sa.String(length=64), nullable=True),
    sa.Column('at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['loyalty_members.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'period', name='uq_loyalty_tier_history_member_period')
    )
    with op.batch_alter_table('loyalty_tier_history', schema=None) as batch_op:
        batch_op.create_index('ix_loyalty_tier_history_member', ['member_id', 'id'], unique=False)

    op.create_table('loyalty_enrolments',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('card_id', sa.String(length=36), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('threshold', sa.BigInteger(), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('spend', sa.BigInteger(), nullable=False),
    sa.Column('document', sa.String(length=64), nullable=False),
    sa.Column('referrer_id', sa.String(length=36), nullable=True),
    sa.Column('store_code', sa.String(length=16), nullable=True),
    sa.Column('staff_code', sa.String(length=32), nullable=True),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('created_at', chainpos.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['loyalty_cards.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['loyalty_members.id'], ),
    sa.PrimaryKeyConstraint('member_id'),
    sa.UniqueConstraint('document')
    )


def downgrade() -> None:
    op.drop_table('loyalty_enrolments')
    with op.batch_alter_table('loyalty_tier_history', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_tier_history_member')

    op.drop_table('loyalty_tier_history')
    with op.batch_alter_table('loyalty_referral_rewards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loyalty_referral_rewards_referrer_id'))
        batch_op.drop_index(batch_op.f('ix_loyalty_referral_rewards_referred_id'))

    op.drop_table('loyalty_referral_rewards')
    with op.batch_alter_table('loyalty_member_spend', schema=None) as batch_op:
        batch_op.drop_index('ix_loyalty_member_spend_member_day')

    op.drop_table('loyalty_member_spend')
    op.drop_table('loyalty_tier_review_runs')
