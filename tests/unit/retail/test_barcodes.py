"""Barcodes: GTIN check digits, scans, and in-store weighed-item codes from scales."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retail.barcodes import (
    DEFAULT_WEIGHED_RULES,
    BarcodeError,
    ScannedCode,
    WeighedCodeRule,
    WeighedKind,
    gtin_check_digit,
    is_valid_gtin,
    make_weighed_code,
    parse_scan,
    weighed_item_lookup,
    with_check_digit,
)

WEIGHT_RULE, PRICE_RULE = DEFAULT_WEIGHED_RULES

# Real, published codes of each symbology.
REAL_CODES = {
    "EAN-13": "4006381333931",
    "EAN-13 (GS1 China)": "6901234567892",
    "EAN-8": "73513537",
    "UPC-A": "036000291452",
    "GTIN-14": "10012345678902",
}

# --- check digits -----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "code"), REAL_CODES.items())
def test_real_codes_have_the_check_digit_gs1_computes(kind: str, code: str) -> None:
    assert gtin_check_digit(code[:-1]) == int(code[-1]), kind
    assert with_check_digit(code[:-1]) == code
    assert is_valid_gtin(code)


@pytest.mark.parametrize(
    ("body", "check"),
    [("400638133393", 1), ("7351353", 7), ("03600029145", 2), ("690123456789", 2)],
)
def test_check_digit_of_known_bodies(body: str, check: int) -> None:
    assert gtin_check_digit(body) == check


def test_check_digit_is_zero_when_the_weighted_sum_is_a_multiple_of_ten() -> None:
    assert gtin_check_digit("000000000000") == 0
    assert with_check_digit("0000000") == "00000000"


@pytest.mark.parametrize("code", REAL_CODES.values())
def test_every_wrong_check_digit_is_invalid(code: str) -> None:
    for digit in "0123456789":
        if digit != code[-1]:
            assert not is_valid_gtin(code[:-1] + digit)


@pytest.mark.parametrize("code", ["", "1234567", "12345678901", "123456789012345", "7351353a"])
def test_codes_of_other_lengths_or_with_letters_are_not_gtins(code: str) -> None:
    assert not is_valid_gtin(code)


@given(st.text(alphabet="0123456789", min_size=7, max_size=13))
def test_with_check_digit_always_makes_a_valid_gtin_of_supported_length(body: str) -> None:
    code = with_check_digit(body)
    assert is_valid_gtin(code) == (len(code) in (8, 12, 13, 14))


@given(
    st.text(alphabet="0123456789", min_size=12, max_size=12),
    st.integers(min_value=0, max_value=11),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_misread_is_caught(body: str, position: int, shift: int) -> None:
    code = with_check_digit(body)
    misread = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    assert not is_valid_gtin(misread)


def test_check_digit_of_non_digits_is_refused_naming_the_input() -> None:
    with pytest.raises(BarcodeError, match="69012x"):
        gtin_check_digit("69012x")


# --- scanning ---------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_CODES.values())
def test_a_valid_gtin_scans_to_itself(code: str) -> None:
    scanned = parse_scan(code)
    assert scanned == ScannedCode(code)
    assert not scanned.is_weighed


def test_scanner_whitespace_and_newline_are_ignored() -> None:
    assert parse_scan("  4006381333931\r\n").lookup == "4006381333931"


@pytest.mark.parametrize("code", ["4006381333932", "73513538", "036000291453", "6901234567890"])
def test_a_wrong_check_digit_is_refused_with_a_message_naming_the_code(code: str) -> None:
    with pytest.raises(BarcodeError, match=code):
        parse_scan(code)


def test_barcode_error_is_a_value_error() -> None:
    assert issubclass(BarcodeError, ValueError)


@pytest.mark.parametrize(
    "code",
    ["", "   ", "ABC123", "400638133393a", "4006-381333931", "4006381333931;", "-1234", "¹²³⁴⁵⁶⁷⁸"],
)
def test_non_digit_input_is_refused_with_a_barcode_error(code: str) -> None:
    # "¹²³⁴⁵⁶⁷⁸" passes str.isdigit(), then int() fails with a bare ValueError.
    with pytest.raises(BarcodeError):
        parse_scan(code)


def test_full_width_digits_never_become_a_lookup_key() -> None:
    # A keyboard-wedge scanner typing through a Chinese IME in full-width mode sends
    # "４００６..."; the catalog holds ASCII, so either normalise or refuse the scan.
    full_width = "４００６３８１３３３９３１"
    try:
        scanned = parse_scan(full_width)
    except BarcodeError:
        return
    assert scanned.lookup == "4006381333931"


@pytest.mark.parametrize("code", ["1", "42", "12345", "1234567"])
def test_short_plu_codes_typed_by_hand_are_accepted_without_a_check_digit(code: str) -> None:
    assert parse_scan(code) == ScannedCode(code)


@pytest.mark.parametrize("code", ["123456789", "1234567890", "12345678901", "123456789012345"])
def test_unsupported_lengths_are_refused_naming_the_length(code: str) -> None:
    with pytest.raises(BarcodeError, match=f"\\({len(code)}\\)"):
        parse_scan(code)


# --- weighed items ----------------------------------------------------------------


def test_default_rules_are_weight_under_21_and_price_under_22() -> None:
    assert WeighedCodeRule("21", 5, WeighedKind.WEIGHT) == WEIGHT_RULE
    assert WeighedCodeRule("22", 5, WeighedKind.PRICE) == PRICE_RULE
    assert WEIGHT_RULE.value_digits == PRICE_RULE.value_digits == 5


def test_a_weight_label_carries_the_plu_and_grams() -> None:
    label = make_weighed_code(WEIGHT_RULE, "00123", 512)
    assert label == "2100123005123"
    assert parse_scan(label) == ScannedCode("2100123", weight_grams=512)
    assert parse_scan(label).is_weighed


def test_a_price_label_carries_the_plu_and_fen() -> None:
    label = make_weighed_code(PRICE_RULE, "04567", 2_390)
    scanned = parse_scan(label)
    assert scanned == ScannedCode("2204567", price_fen=2_390)
    assert scanned.is_weighed


def test_the_scanned_key_is_the_one_the_item_is_registered_under() -> None:
    label = make_weighed_code(WEIGHT_RULE, "00042", 1_000)
    assert parse_scan(label).lookup == weighed_item_lookup(WEIGHT_RULE, "00042")


def test_the_typed_plu_key_finds_the_same_item_as_the_scale_label() -> None:
    label = make_weighed_code(WEIGHT_RULE, "00042", 1_000)
    assert parse_scan("2100042").lookup == parse_scan(label).lookup


def test_a_scale_label_with_a_wrong_check_digit_is_refused() -> None:
    label = make_weighed_code(WEIGHT_RULE, "00123", 512)
    bad = label[:-1] + str((int(label[-1]) + 1) % 10)
    with pytest.raises(BarcodeError, match=bad):
        parse_scan(bad)


def test_an_ordinary_ean13_outside_the_in_store_prefixes_is_not_weighed() -> None:
    assert not parse_scan("6901234567892").is_weighed


def test_custom_rules_are_honoured() -> None:
    rule = WeighedCodeRule("2", 6, WeighedKind.PRICE)
    label = make_weighed_code(rule, "123456", 9_990)
    assert parse_scan(label, rules=(rule,)) == ScannedCode("2123456", price_fen=9_990)


@given(
    rule=st.sampled_from(DEFAULT_WEIGHED_RULES),
    plu=st.text(alphabet="0123456789", min_size=5, max_size=5),
    value=st.integers(min_value=0, max_value=99_999),
)
def test_every_weighed_code_round_trips_through_a_scan(
    rule: WeighedCodeRule, plu: str, value: int
) -> None:
    label = make_weighed_code(rule, plu, value)
    assert is_valid_gtin(label)
    scanned = parse_scan(label)
    assert scanned.lookup == weighed_item_lookup(rule, plu)
    if rule.kind is WeighedKind.WEIGHT:
        assert (scanned.weight_grams, scanned.price_fen) == (value, None)
    else:
        assert (scanned.weight_grams, scanned.price_fen) == (None, value)


@pytest.mark.parametrize("plu", ["123", "123456", "12a45", ""])
def test_a_plu_of_the_wrong_shape_is_refused(plu: str) -> None:
    with pytest.raises(BarcodeError, match="5 digits"):
        make_weighed_code(WEIGHT_RULE, plu, 100)


@pytest.mark.parametrize("value", [-1, 100_000])
def test_a_value_that_does_not_fit_the_label_is_refused(value: int) -> None:
    with pytest.raises(BarcodeError, match="does not fit"):
        make_weighed_code(WEIGHT_RULE, "00001", value)
