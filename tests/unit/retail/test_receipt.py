"""Receipt text: fits 58 mm and 80 mm paper with Chinese names, says what was paid."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retail.receipt import (
    PAPER_COLUMNS,
    Receipt,
    ReceiptLine,
    ReceiptMember,
    ReceiptSaving,
    ReceiptTax,
    ReceiptTender,
    display_width,
    fit,
    render_text,
    two_columns,
)

WIDTHS = sorted(PAPER_COLUMNS.values())  # [32, 48]


def make_receipt(**changes: object) -> Receipt:
    receipt = Receipt(
        store_name="邻家超市 人民路店",
        store_code="S001",
        till_code="T02",
        receipt_no="S001-T02-261126-00042",
        business_day="2026-11-26",
        printed_at="2026-11-26 14:05",
        cashier="1024 李娜",
        lines=(
            ReceiptLine(
                "清风 原木纯品抽纸 3层 130抽x6包 家庭超值装",
                "2",
                1_990,
                3_580,
                (ReceiptSaving("第二件半价 2nd item half price", 400),),
            ),
            ReceiptLine("苹果 散称", "0.512kg", 998, 511),
            ReceiptLine("Nordfield Sparkling Water Lemon 550ml x12", "1", 4_590, 4_590),
        ),
        total=8_681,
        tenders=(ReceiptTender("cash", 5_000), ReceiptTender("wechat", 3_680, "4200001234")),
        change=0,
        rounding=-1,
        taxes=(ReceiptTax("9%", 42), ReceiptTax("13%", 935)),
        member=ReceiptMember("138****1234", "8800123456", 1_200, 5_000),
    )
    return dataclasses.replace(receipt, **changes)  # type: ignore[arg-type]


def widest(text: str) -> int:
    return max(display_width(line) for line in text.splitlines())


# --- display width ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("", 0),
        ("abc 123", 7),
        ("苹果", 4),
        ("苹果 Apple", 10),
        ("（特价）", 8),  # full-width brackets
        ("ＡＢＣ", 6),  # full-width Latin
        ("ｶﾀｶﾅ", 4),  # half-width katakana stay narrow
        ("¥9.90", 5),
    ],
)
def test_display_width_counts_chinese_as_two_columns(text: str, width: int) -> None:
    assert display_width(text) == width


@pytest.mark.parametrize("symbol", ["×", "℃"])
def test_symbols_a_chinese_printer_prints_full_width_count_as_two_columns(symbol: str) -> None:
    # In GB18030 these are two-byte characters, which a Chinese ESC/POS printer draws
    # in a full-width cell ("950ml×2瓶", "冷藏 0-4℃"). Unicode calls them ambiguous.
    assert display_width(symbol) == 2


def test_fit_never_splits_a_chinese_character_across_the_limit() -> None:
    assert fit("苹果香蕉", 5) == "苹果"
    assert fit("苹果香蕉", 4) == "苹果"
    assert fit("ab苹果", 3) == "ab"
    assert fit("anything", 0) == ""


def test_two_columns_puts_the_amount_flush_right() -> None:
    line = two_columns("TOTAL 合计", "40.91", 32)
    assert display_width(line) == 32
    assert line.startswith("TOTAL 合计")
    assert line.endswith(" 40.91")


def test_two_columns_cuts_a_long_chinese_label_to_keep_the_amount() -> None:
    line = two_columns("第二件半价 买二送一 会员专享 限时特惠", "-4.00", 32)
    assert display_width(line) <= 32
    assert line.endswith(" -4.00")


# --- layout -----------------------------------------------------------------------


@pytest.mark.parametrize("columns", WIDTHS)
def test_no_line_is_wider_than_the_paper(columns: int) -> None:
    assert widest(render_text(make_receipt(), columns)) <= columns


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_long_cashier_label_still_fits_the_paper(columns: int) -> None:
    receipt = make_receipt(cashier="张伟 (工号 10086)")  # 33 columns with its label
    assert widest(render_text(receipt, columns)) <= columns


@pytest.mark.parametrize("columns", WIDTHS)
def test_rules_span_the_full_width(columns: int) -> None:
    assert "-" * columns in render_text(make_receipt(), columns).splitlines()


def test_default_width_is_58mm_paper() -> None:
    assert render_text(make_receipt()) == render_text(make_receipt(), PAPER_COLUMNS[58])


def test_every_line_of_the_text_ends_with_a_newline() -> None:
    assert render_text(make_receipt(), 32).endswith("\n")


cjk_text = st.text(
    alphabet=st.sampled_from(list("苹果香蕉牛奶酸奶抽纸（）【】特价会员ABCxyz0123456789 .-/")),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(
    columns=st.sampled_from(WIDTHS),
    store_name=cjk_text,
    names=st.lists(cjk_text, min_size=1, max_size=5),
    saving_label=cjk_text,
    tender=cjk_text,
    amount=st.integers(min_value=-(10**9), max_value=10**9),
)
def test_chinese_names_labels_and_amounts_never_overflow_the_paper(
    columns: int,
    store_name: str,
    names: list[str],
    saving_label: str,
    tender: str,
    amount: int,
) -> None:
    lines = tuple(
        ReceiptLine(name, "1", amount, amount, (ReceiptSaving(saving_label, 100),))
        for name in names
    )
    receipt = make_receipt(
        store_name=store_name,
        lines=lines,
        total=amount,
        tenders=(ReceiptTender(tender, amount),),
        change=amount,
        footer=(store_name, "谢谢惠顾 Thank you"),
    )
    assert widest(render_text(receipt, columns)) <= columns


def test_a_long_chinese_name_is_cut_not_wrapped_over_the_amount() -> None:
    text = render_text(make_receipt(), 32)
    assert "清风 原木纯品抽纸 3层 130抽x6包" in text
    assert "家庭超值装" not in text
    assert "  2 x 19.90" in text


# --- content ----------------------------------------------------------------------


def test_an_original_receipt_does_not_say_copy() -> None:
    assert "COPY" not in render_text(make_receipt(), 32)


@pytest.mark.parametrize("copy_no", [1, 2])
def test_a_reprint_says_copy_with_its_number(copy_no: int) -> None:
    text = render_text(make_receipt(copy_no=copy_no), 32)
    assert f"COPY {copy_no}" in text
    assert "重印" in text


def test_a_sale_does_not_print_its_kind_but_a_return_does() -> None:
    assert "SALE" not in render_text(make_receipt(), 32)
    assert "RETURN" in render_text(make_receipt(kind="RETURN"), 32)


def test_header_shows_store_receipt_number_till_time_and_cashier() -> None:
    text = render_text(make_receipt(), 32)
    assert "邻家超市 人民路店" in text
    assert "No: S001-T02-261126-00042" in text
    assert "S001 T02" in text
    assert "2026-11-26 14:05" in text
    assert "1024 李娜" in text


def line_with(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(label))


@pytest.mark.parametrize("columns", WIDTHS)
def test_total_savings_rounding_tenders_and_taxes_each_have_a_line(columns: int) -> None:
    text = render_text(make_receipt(), columns)
    assert line_with(text, "TOTAL 合计").endswith(" 86.81")
    assert line_with(text, "Savings 优惠").endswith(" 4.00")
    assert line_with(text, "Rounding 舍入").endswith(" -0.01")
    assert line_with(text, "CASH").endswith(" 50.00")
    assert line_with(text, "WECHAT").endswith(" 36.80")
    assert line_with(text, "Tax 税 9%").endswith(" 0.42")
    assert line_with(text, "Tax 税 13%").endswith(" 9.35")


def test_change_is_shown_when_cash_exceeds_the_total() -> None:
    text = render_text(make_receipt(change=1_319), 32)
    assert line_with(text, "Change 找零").endswith(" 13.19")


def test_no_change_no_rounding_and_no_savings_lines_when_they_are_zero() -> None:
    plain = make_receipt(
        lines=(ReceiptLine("苹果 散称", "0.512kg", 998, 511),), rounding=0, change=0
    )
    text = render_text(plain, 32)
    assert "Change" not in text
    assert "Rounding" not in text
    assert "Savings" not in text


def test_each_line_shows_quantity_unit_price_amount_and_its_savings() -> None:
    text = render_text(make_receipt(), 48)
    assert line_with(text, "  2 x 19.90").endswith(" 35.80")
    assert line_with(text, "  0.512kg x 9.98").endswith(" 5.11")
    assert line_with(text, "  第二件半价").endswith(" -4.00")


def test_total_savings_add_up_across_lines() -> None:
    receipt = make_receipt(
        lines=(
            ReceiptLine("A", "1", 500, 400, (ReceiptSaving("x", 100),)),
            ReceiptLine("B", "1", 500, 250, (ReceiptSaving("y", 200), ReceiptSaving("z", 50))),
        )
    )
    assert receipt.total_savings == 350


def test_member_section_shows_masked_mobile_points_and_balance() -> None:
    text = render_text(make_receipt(), 32)
    assert "138****1234" in text
    assert line_with(text, "Points 积分").endswith(" 1200")
    assert line_with(text, "Balance 余额").endswith(" 50.00")


def test_no_member_section_without_a_member() -> None:
    text = render_text(make_receipt(member=None), 32)
    assert "Member" not in text
    assert "Points" not in text


def test_footer_lines_close_the_receipt() -> None:
    text = render_text(make_receipt(footer=("谢谢惠顾 Thank you", "退换凭小票 7 天内")), 32)
    assert text.splitlines()[-1].strip() == "退换凭小票 7 天内"
