"""Members: profile validation, mobile normalisation, duplicate detection and merge plans."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from loyalty.errors import InvalidEmail, InvalidMobile, InvalidProfile, MergeNotAllowed

_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-().]")
# Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is the
# mail gateway's business; this only catches typing mistakes at the counter.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
_OLDEST_BIRTHDAY = date(1900, 1, 1)


class Gender(Enum):
    """Self-declared gender; UNSPECIFIED is the default and never guessed."""

    UNSPECIFIED = "unspecified"
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class SourceChannel(Enum):
    """Where the member enrolled."""

    STORE = "store"
    PORTAL = "portal"
    APP = "app"
    WECHAT = "wechat"
    REFERRAL = "referral"
    IMPORT = "import"


class MemberStatus(Enum):
    """A member record is active or has been merged into another one."""

    ACTIVE = "active"
    MERGED = "merged"


def normalise_mobile(raw: str) -> str:
    """Return the 11-digit mainland mobile from '+86 138-0013-8000' style input."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE.fullmatch(text):
        raise InvalidMobile(f"not a mainland China mobile number: {raw!r}")
    return text


def mask_mobile(mobile: str) -> str:
    """Mask a normalised mobile for receipts and screens: 138****8000."""
    return f"{mobile[:3]}****{mobile[-4:]}"


def normalise_email(raw: str) -> str:
    """Trim and lower-case an e-mail address after a plausibility check."""
    text = raw.strip()
    if not _EMAIL.fullmatch(text):
        raise InvalidEmail(f"not an e-mail address: {raw!r}")
    local, _, domain = text.partition("@")
    # The local part is case-sensitive by the RFC but not in practice; lower-casing
    # keeps duplicate detection honest.
    return f"{local.lower()}@{domain.lower()}"


def normalise_name(raw: str) -> str:
    """Collapse whitespace (full-width too) so '张 三' and '张三 ' compare equal."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).casefold()


@dataclass(frozen=True, slots=True)
class MemberProfile:
    """A member's identity and consent, normalised."""

    member_id: str
    mobile: str
    name: str
    birthday: date | None = None
    gender: Gender = Gender.UNSPECIFIED
    email: str | None = None
    source_channel: SourceChannel = SourceChannel.STORE
    marketing_consent: bool = False
    referrer_id: str | None = None
    enrolled_on: date | None = None
    status: MemberStatus = MemberStatus.ACTIVE
    merged_into: str | None = None


def new_member_profile(
    member_id: str,
    mobile: str,
    name: str,
    *,
    today: date,
    birthday: date | None = None,
    gender: Gender = Gender.UNSPECIFIED,
    email: str | None = None,
    source_channel: SourceChannel = SourceChannel.STORE,
    marketing_consent: bool = False,
    referrer_id: str | None = None,
) -> MemberProfile:
    """Validate and normalise a new member's profile; raise on the first bad field."""
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > 50:
        raise InvalidProfile("name must be 1 to 50 characters", "name")
    if birthday is not None and not _OLDEST_BIRTHDAY <= birthday <= today:
        raise InvalidProfile("birthday must be between 1900-01-01 and today", "birthday")
    if referrer_id is not None and referrer_id == member_id:
        raise InvalidProfile("a member cannot refer themselves", "referrer_id")
    return MemberProfile(
        member_id=member_id,
        mobile=normalise_mobile(mobile),
        name=clean_name,
        birthday=birthday,
        gender=gender,
        email=normalise_email(email) if email else None,
        source_channel=source_channel,
        marketing_consent=marketing_consent,
        referrer_id=referrer_id,
        enrolled_on=today,
    )


class DuplicateReason(Enum):
    """Why two member records look like the same person."""

    SAME_MOBILE = "same_mobile"
    SAME_NAME_AND_BIRTHDAY = "same_name_and_birthday"


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """An existing member that looks like the candidate, and why."""

    member_id: str
    reason: DuplicateReason


def find_duplicates(
    candidate: MemberProfile, existing: Iterable[MemberProfile]
) -> list[DuplicateMatch]:
    """Existing active members with the same mobile, or the same name and birthday."""
    name = normalise_name(candidate.name)
    matches: list[DuplicateMatch] = []
    for other in existing:
        if other.member_id == candidate.member_id or other.status is not MemberStatus.ACTIVE:
            continue
        if other.mobile == candidate.mobile:
            matches.append(DuplicateMatch(other.member_id, DuplicateReason.SAME_MOBILE))
        elif (
            candidate.birthday is not None
            and other.birthday == candidate.birthday
            and normalise_name(other.name) == name
        ):
            matches.append(DuplicateMatch(other.member_id, DuplicateReason.SAME_NAME_AND_BIRTHDAY))
    return matches


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """What a merge needs to know about a member: profile, tier rank and card ids."""

    profile: MemberProfile
    tier_rank: int
    card_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MergePlan:
    """How to fold `absorbed` into `survivor`; the ledger applies it in one transaction.

    Cards move with their accounts (balances, lots and entries stay on the accounts, so
    all history is kept); the absorbed record stays as MERGED pointing at the survivor.
    """

    survivor_id: str
    absorbed_id: str
    cards_to_move: tuple[str, ...]
    survivor_profile: MemberProfile
    absorbed_profile: MemberProfile
    tier_rank: int


def plan_merge(survivor: MemberRecord, absorbed: MemberRecord) -> MergePlan:
    """Plan a merge: survivor's fields win, blanks are filled from the absorbed record."""
    s, a = survivor.profile, absorbed.profile
    if s.member_id == a.member_id:
        raise MergeNotAllowed("cannot merge a member into itself", "member_id")
    if MemberStatus.MERGED in (s.status, a.status):
        raise MergeNotAllowed("a merged member cannot take part in another merge", "member_id")
    merged = replace(
        s,
        birthday=s.birthday or a.birthday,
        gender=s.gender if s.gender is not Gender.UNSPECIFIED else a.gender,
        email=s.email or a.email,
        referrer_id=s.referrer_id or a.referrer_id,
        # Consent is never widened by a merge: both records must have said yes.
        marketing_consent=s.marketing_consent and a.marketing_consent,
        enrolled_on=min((d for d in (s.enrolled_on, a.enrolled_on) if d is not None), default=None),
    )
    return MergePlan(
        survivor_id=s.member_id,
        absorbed_id=a.member_id,
        cards_to_move=absorbed.card_ids,
        survivor_profile=merged,
        absorbed_profile=replace(a, status=MemberStatus.MERGED, merged_into=s.member_id),
        tier_rank=max(survivor.tier_rank, absorbed.tier_rank),
    )
