"""Ledger invariants: cached balances equal the sums of their entries, and `verify` says so."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select, update

from chainpos.cli import main
from hq_server.loyalty.models import Account, PointsEntryRow, PointsLotRow, SvEntryRow
from hq_server.loyalty.verification import verify_ledgers
from tests.integration.hq_loyalty.conftest import Loyalty, ok


def _workload(loyalty: Loyalty) -> list[str]:
    member = loyalty.register()["member_id"]
    a = loyalty.issue(member)["number"]
    b = loyalty.issue(member)["number"]
    child = loyalty.issue(None, parent_card=a)["number"]
    ok(loyalty.top_up(a, 150_000))
    ok(loyalty.top_up(b, 20_000))
    ok(loyalty.debit(child, 33_333, document="s1"))
    ok(
        loyalty.signed(
            "/sv/credit", {"card": a, "kind": "refund", "amount": 11_111, "original_document": "s1"}
        )
    )
    ok(loyalty.staff(f"/cards/{a}/transfer", {"target": b, "amount": 7_777}))
    ok(loyalty.earn(a, [("l1", 12_345), ("l2", 5_555)], document="s2", business_day="2026-01-01"))
    ok(
        loyalty.signed(
            "/points/redeem", {"card": child, "amount": 100, "business_day": "2026-02-01"}
        )
    )
    ok(
        loyalty.signed(
            "/points/reverse",
            {
                "sale_document": "s2",
                "business_day": "2026-02-02",
                "lines": [{"line_id": "l2", "amount": 2_000}],
            },
        )
    )
    ok(loyalty.staff(f"/cards/{b}/points/adjust", {"points": 42, "reason": "goodwill"}))
    ok(loyalty.staff(f"/cards/{b}/cancel", {"store": "S001"}))
    return [a, b]


def test_every_cached_balance_is_the_sum_of_its_ledger_entries(loyalty: Loyalty) -> None:
    _workload(loyalty)
    with loyalty.hq.sessions() as session:
        for account in session.scalars(select(Account)):
            principal, bonus = session.execute(
                select(
                    func.coalesce(func.sum(SvEntryRow.principal), 0),
                    func.coalesce(func.sum(SvEntryRow.bonus), 0),
                ).where(SvEntryRow.account_id == account.id)
            ).one()
            points = session.scalar(
                select(func.coalesce(func.sum(PointsEntryRow.points), 0)).where(
                    PointsEntryRow.account_id == account.id
                )
            )
            lots = session.scalar(
                select(func.coalesce(func.sum(PointsLotRow.remaining), 0)).where(
                    PointsLotRow.account_id == account.id
                )
            )
            assert (account.sv_principal, account.sv_bonus) == (principal, bonus)
            assert account.points == points == lots
            assert account.sv_principal >= 0 and account.sv_bonus >= 0
        assert verify_ledgers(session) == []


def test_verify_exits_non_zero_and_names_a_corrupted_balance(
    loyalty: Loyalty, hq_db_url: str
) -> None:
    card, _ = _workload(loyalty)
    runner = CliRunner()
    clean = runner.invoke(main, ["hq", "loyalty", "verify", "--db", hq_db_url])
    assert clean.exit_code == 0, clean.output
    account_id = loyalty.card(card)["account_id"]
    with loyalty.hq.sessions.begin() as session:
        session.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(sv_principal=Account.sv_principal + 1)
        )
    broken = runner.invoke(main, ["hq", "loyalty", "verify", "--db", hq_db_url])
    assert broken.exit_code == 1
    assert f"account {account_id}: sv_principal cached" in broken.output


def test_verify_catches_a_lot_that_disagrees_with_its_entries(
    loyalty: Loyalty, hq_db_url: str
) -> None:
    _workload(loyalty)
    with loyalty.hq.sessions.begin() as session:
        lot = session.scalars(select(PointsLotRow).where(PointsLotRow.remaining > 0)).first()
        assert lot is not None
        lot.remaining -= 1
        lot_id = lot.id
    with loyalty.hq.sessions() as session:
        found = verify_ledgers(session)
    assert [(m.kind, m.id, m.field) for m in found] == [("lot", lot_id, "remaining")]
    assert CliRunner().invoke(main, ["hq", "loyalty", "verify", "--db", hq_db_url]).exit_code == 1
