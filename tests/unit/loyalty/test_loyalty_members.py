from datetime import date

import pytest

from loyalty.errors import InvalidEmail, InvalidMobile, InvalidProfile, MergeNotAllowed
from loyalty.members import (
    DuplicateMatch,
    DuplicateReason,
    Gender,
    MemberProfile,
    MemberRecord,
    MemberStatus,
    find_duplicates,
    mask_mobile,
    new_member_profile,
    normalise_email,
    normalise_mobile,
    plan_merge,
)

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-138-0013-8000", "13800138000"),
        ("86 19912345678", "19912345678"),
        ("0086 15012345678", "15012345678"),
        ("８６１３８００１３８０００", "13800138000"),  # full-width digits from an IME
        (" 177-1234-5678 ", "17712345678"),
    ],
)
def test_mobile_is_normalised_to_eleven_digits(raw: str, expected: str) -> None:
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1380013800",
        "138001380001",
        "12800138000",
        "23800138000",
        "+1 138 0013 8000",
        "1380013800a",
        "+86 1280 013 8000",
        "010-12345678",
    ],
)
def test_mobile_outside_mainland_ranges_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidMobile) as error:
        normalise_mobile(raw)
    assert error.value.code == "invalid_mobile"
    assert error.value.field == "mobile"


def test_mobile_is_masked_for_receipts() -> None:
    assert mask_mobile("13800138000") == "138****8000"


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalise_email("  Li.Lei@Example.COM ") == "li.lei@example.com"


@pytest.mark.parametrize("raw", ["li", "li@", "@example.com", "li@example", "a b@example.com"])
def test_implausible_email_is_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        normalise_email(raw)


def test_new_profile_is_normalised_and_dated() -> None:
    profile = new_member_profile(
        "m1",
        "+86 138 0013 8000",
        "  王  小明 ",
        today=TODAY,
        birthday=date(1990, 5, 1),
        gender=Gender.MALE,
        email="WXM@Example.com",
        marketing_consent=True,
    )
    assert profile.mobile == "13800138000"
    assert profile.name == "王 小明"
    assert profile.email == "wxm@example.com"
    assert profile.enrolled_on == TODAY
    assert profile.status is MemberStatus.ACTIVE


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "name"),
        ({"birthday": date(2027, 1, 1)}, "birthday"),
        ({"birthday": date(1899, 12, 31)}, "birthday"),
        ({"referrer_id": "m1"}, "referrer_id"),
    ],
)
def test_bad_profile_field_is_named(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"name": "Li", "today": TODAY} | kwargs
    with pytest.raises(InvalidProfile) as error:
        new_member_profile("m1", "13800138000", **args)  # type: ignore[arg-type]
    assert error.value.field == field


def _member(
    member_id: str, mobile: str, name: str, birthday: date | None = None, **extra: object
) -> MemberProfile:
    return MemberProfile(member_id, mobile, name, birthday, **extra)  # type: ignore[arg-type]


def test_duplicate_found_by_same_mobile() -> None:
    existing = [_member("a", "13800138000", "张三"), _member("b", "13900139000", "李四")]
    candidate = _member("new", "13800138000", "Zhang San")
    assert find_duplicates(candidate, existing) == [
        DuplicateMatch("a", DuplicateReason.SAME_MOBILE)
    ]


def test_duplicate_found_by_same_name_and_birthday_ignoring_spacing() -> None:
    existing = [_member("a", "13800138000", "张 三", date(1990, 1, 2))]
    candidate = _member("new", "13900139000", "张三", date(1990, 1, 2))
    assert find_duplicates(candidate, existing) == [
        DuplicateMatch("a", DuplicateReason.SAME_NAME_AND_BIRTHDAY)
    ]


def test_same_name_without_birthday_is_not_a_duplicate() -> None:
    existing = [_member("a", "13800138000", "张三")]
    assert find_duplicates(_member("new", "13900139000", "张三"), existing) == []


def test_merged_members_are_not_reported_as_duplicates() -> None:
    existing = [_member("a", "13800138000", "张三", status=MemberStatus.MERGED)]
    assert find_duplicates(_member("new", "13800138000", "张三"), existing) == []


def test_merge_moves_cards_keeps_survivor_fields_and_fills_blanks() -> None:
    survivor = MemberRecord(
        _member(
            "s", "13800138000", "张三", None, marketing_consent=True, enrolled_on=date(2024, 1, 1)
        ),
        tier_rank=1,
        card_ids=("c1",),
    )
    absorbed = MemberRecord(
        _member(
            "a",
            "13900139000",
            "张三",
            date(1990, 1, 2),
            email="z@example.com",
            gender=Gender.MALE,
            marketing_consent=False,
            enrolled_on=date(2022, 6, 1),
        ),
        tier_rank=2,
        card_ids=("c2", "c3"),
    )
    plan = plan_merge(survivor, absorbed)
    assert plan.cards_to_move == ("c2", "c3")
    assert plan.survivor_profile.mobile == "13800138000"
    assert plan.survivor_profile.birthday == date(1990, 1, 2)
    assert plan.survivor_profile.email == "z@example.com"
    assert plan.survivor_profile.gender is Gender.MALE
    assert plan.survivor_profile.enrolled_on == date(2022, 6, 1)
    assert plan.tier_rank == 2
    assert plan.absorbed_profile.status is MemberStatus.MERGED
    assert plan.absorbed_profile.merged_into == "s"


def test_merge_never_widens_marketing_consent() -> None:
    survivor = MemberRecord(_member("s", "13800138000", "A", marketing_consent=True), 0)
    absorbed = MemberRecord(_member("a", "13900139000", "A", marketing_consent=False), 0)
    assert plan_merge(survivor, absorbed).survivor_profile.marketing_consent is False


def test_member_cannot_be_merged_into_itself_or_twice() -> None:
    record = MemberRecord(_member("s", "13800138000", "A"), 0)
    merged = MemberRecord(_member("m", "13900139000", "A", status=MemberStatus.MERGED), 0)
    with pytest.raises(MergeNotAllowed):
        plan_merge(record, record)
    with pytest.raises(MergeNotAllowed):
        plan_merge(record, merged)
