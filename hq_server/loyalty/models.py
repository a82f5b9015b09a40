"""HQ's loyalty tables: members, cards, accounts, ledgers, coupons, idempotency records.

Balances are ledgers: every movement is an entry row, and the account row caches the
sums, updated under a row lock in the same transaction as the entry (DESIGN.md §6).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from chainpos.db import UtcDateTime, utcnow
from chainpos.sync.models import BigId
from hq_server.models import Base

_ID = String(36)
_CODE = String(32)


class Member(Base):
    __tablename__ = "loyalty_members"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    mobile: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    birthday: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source_channel: Mapped[str] = mapped_column(String(16))
    marketing_consent: Mapped[bool] = mapped_column(Boolean)
    referrer_id: Mapped[str | None] = mapped_column(_ID, nullable=True)
    enrolled_on: Mapped[date] = mapped_column(Date)
    tier_code: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("loyalty_members.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (Index("ix_loyalty_members_name_birthday", "name", "birthday"),)


class Account(Base):
    """One account set per primary card: points and stored value, with cached balances."""

    __tablename__ = "loyalty_accounts"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("loyalty_members.id"), nullable=True, index=True
    )
    sv_principal: Mapped[int] = mapped_column(BigInteger, default=0)
    sv_bonus: Mapped[int] = mapped_column(BigInteger, default=0)
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Card(Base):
    __tablename__ = "loyalty_cards"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    number: Mapped[str] = mapped_column(String(19), unique=True)
    uid: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    medium: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("loyalty_members.id"), nullable=True, index=True
    )
    account_id: Mapped[str] = mapped_column(ForeignKey("loyalty_accounts.id"), index=True)
    parent_card_id: Mapped[str | None] = mapped_column(
        ForeignKey("loyalty_cards.id"), nullable=True, index=True
    )
    replaced_by: Mapped[str | None] = mapped_column(_ID, nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PinRecord(Base):
    """A card's PIN state; written even when a try fails, so the lockout holds."""

    __tablename__ = "loyalty_pin_states"

    card_id: Mapped[str] = mapped_column(ForeignKey("loyalty_cards.id"), primary_key=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    failed_tries: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SvEntryRow(Base):
    """A stored-value ledger entry: signed principal and bonus, with who, where and why."""

    __tablename__ = "loyalty_sv_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("loyalty_accounts.id"))
    card_id: Mapped[str] = mapped_column(_ID)
    kind: Mapped[str] = mapped_column(String(16))
    principal: Mapped[int] = mapped_column(BigInteger)
    bonus: Mapped[int] = mapped_column(BigInteger)
    overdraft: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_of: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    till_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    staff_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    document: Mapped[str] = mapped_column(String(64))
    business_day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_loyalty_sv_entries_account", "account_id", "id"),
        Index("ix_loyalty_sv_entries_day_store", "business_day", "store_code"),
        Index("ix_loyalty_sv_entries_document", "document"),
    )


class PointsLotRow(Base):
    __tablename__ = "loyalty_points_lots"

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("loyalty_accounts.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    earned_on: Mapped[date] = mapped_column(Date)
    available_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    document: Mapped[str] = mapped_column(String(64), index=True)
    lines: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[line_id, amount, points]]
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (Index("ix_loyalty_points_lots_expiry", "valid_until", "account_id"),)


class PointsEntryRow(Base):
    __tablename__ = "loyalty_points_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("loyalty_accounts.id"))
    lot_id: Mapped[str] = mapped_column(_ID, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    business_day: Mapped[date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    till_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    staff_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (Index("ix_loyalty_points_entries_account", "account_id", "id"),)


class PointsReversalRow(Base):
    """What a return took back from a sale's lot: per-line fen returned, and any shortfall."""

    __tablename__ = "loyalty_points_reversals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lot_id: Mapped[str] = mapped_column(_ID, index=True)
    document: Mapped[str] = mapped_column(String(64))
    lines: Mapped[str] = mapped_column(Text)  # JSON {line_id: fen returned}
    points: Mapped[int] = mapped_column(BigInteger)
    unrecovered: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SpendRecordRow(Base):
    """Net spend of a sale on an account, for the rolling 12-month tier spend."""

    __tablename__ = "loyalty_spend"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("loyalty_accounts.id"))
    card_id: Mapped[str] = mapped_column(_ID)
    business_day: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_loyalty_spend_account_day", "account_id", "business_day"),
        Index("ix_loyalty_spend_document", "document"),  # a return finds its sale's spend
    )


class Counter(Base):
    """A named serial (card numbers), taken under a row lock."""

    __tablename__ = "loyalty_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class CouponKey(Base):
    """HQ's Ed25519 coupon key pair; the private half never leaves this table."""

    __tablename__ = "loyalty_coupon_keys"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    private_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, hex
    public_key: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CouponBatch(Base):
    __tablename__ = "loyalty_coupon_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger)
    cap: Mapped[int] = mapped_column(BigInteger, default=0)
    min_spend: Mapped[int] = mapped_column(BigInteger, default=0)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    stores: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of store numbers
    member_id: Mapped[str | None] = mapped_column(_ID, nullable=True)
    item_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    count: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[int] = mapped_column(ForeignKey("loyalty_coupon_keys.key_id"))
    created_by: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CouponCode(Base):
    """An issued code under its typable key `B<batch>-<serial>`."""

    __tablename__ = "loyalty_coupon_codes"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("loyalty_coupon_batches.id"), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(Text)


class CouponRedemption(Base):
    """The primary key on the coupon key makes a second redemption impossible chain-wide."""

    __tablename__ = "loyalty_coupon_redemptions"

    coupon_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[str | None] = mapped_column(_ID, nullable=True)
    discount: Mapped[int] = mapped_column(BigInteger)
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    till_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    staff_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    document: Mapped[str] = mapped_column(String(64))
    business_day: Mapped[date] = mapped_column(Date)
    redeemed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a mutating call, replayed when the same key comes again."""

    __tablename__ = "loyalty_idempotency"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    operation: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class MemberSpendRow(Base):
    """A member's sale not made on a card (identified by mobile): enrolment and tier spend."""

    __tablename__ = "loyalty_member_spend"

    document: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("loyalty_members.id"))
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    business_day: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (Index("ix_loyalty_member_spend_member_day", "member_id", "business_day"),)


class Enrolment(Base):
    """The rule and the document that earned a member their card (one per member)."""

    __tablename__ = "loyalty_enrolments"

    member_id: Mapped[str] = mapped_column(ForeignKey("loyalty_members.id"), primary_key=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("loyalty_cards.id"))
    rule: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    spend: Mapped[int] = mapped_column(BigInteger)  # fen that qualified (0 for a referral)
    document: Mapped[str] = mapped_column(String(64), unique=True)
    referrer_id: Mapped[str | None] = mapped_column(_ID, nullable=True)
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    staff_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    business_day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReferralRewardRow(Base):
    """A referral reward, paid once: the key is the rule and the referred member."""

    __tablename__ = "loyalty_referral_rewards"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(16))
    referrer_id: Mapped[str] = mapped_column(ForeignKey("loyalty_members.id"), index=True)
    referred_id: Mapped[str] = mapped_column(ForeignKey("loyalty_members.id"), index=True)
    points: Mapped[int] = mapped_column(BigInteger)
    bonus: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # credited / unpaid (referrer has no card)
    card_id: Mapped[str | None] = mapped_column(_ID, nullable=True)
    account_id: Mapped[str | None] = mapped_column(_ID, nullable=True)
    document: Mapped[str] = mapped_column(String(64))  # what the referred member did
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    business_day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TierHistoryRow(Base):
    """Every tier move: upgrades by a sale, and the period-end review (one per period)."""

    __tablename__ = "loyalty_tier_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("loyalty_members.id"))
    from_tier: Mapped[str] = mapped_column(String(16))
    to_tier: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(16))  # upgrade / downgrade / reassign
    period: Mapped[str | None] = mapped_column(String(10), nullable=True)  # review's last day
    rolling_spend: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (
        # NULL periods (sale upgrades) are distinct; a review moves a member once per period.
        UniqueConstraint("member_id", "period", name="uq_loyalty_tier_history_member_period"),
        Index("ix_loyalty_tier_history_member", "member_id", "id"),
    )


class TierReviewRun(Base):
    """A period-end review: its cursor commits with each batch, so a rerun resumes or stops."""

    __tablename__ = "loyalty_tier_review_runs"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    policy: Mapped[str] = mapped_column(String(16))
    after_member: Mapped[str] = mapped_column(_ID, default="")
    reviewed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class GiftRow(Base):
    """A catalog gift members take for points; with a sku the goods come out of stock."""

    __tablename__ = "loyalty_gifts"

    code: Mapped[str] = mapped_column(_CODE, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(BigInteger)  # per unit
    sku: Mapped[str | None] = mapped_column(ForeignKey("products.sku"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_by: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class GiftRedemptionRow(Base):
    """Points exchanged for a gift: one per source document (a till's redemption id)."""

    __tablename__ = "loyalty_gift_redemptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    document: Mapped[str] = mapped_column(String(64), unique=True)
    gift_code: Mapped[str] = mapped_column(ForeignKey("loyalty_gifts.code"))
    sku: Mapped[str | None] = mapped_column(String(32), nullable=True)  # as at redemption
    quantity: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(BigInteger)  # all units together
    card_id: Mapped[str] = mapped_column(_ID)
    account_id: Mapped[str] = mapped_column(ForeignKey("loyalty_accounts.id"), index=True)
    store_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    till_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    staff_code: Mapped[str | None] = mapped_column(_CODE, nullable=True)
    business_day: Mapped[date] = mapped_column(Date)
    #: The till's `points_gift` document that took the goods out of the store's stock.
    handed_over_in: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (Index("ix_loyalty_gift_redemptions_day_store", "business_day", "store_code"),)
