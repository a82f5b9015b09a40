import pytest

from devices.errors import DeviceOfflineError
from devices.fakes import FakeCashDrawer
from pos_terminal.device_hub.drawer import DrawerService
from pos_terminal.device_hub.errors import DeviceNotConfiguredError, DrawerPermissionError
from pos_terminal.device_hub.journal import KickReason


@pytest.fixture
def drawer():
    fake = FakeCashDrawer()
    fake.start()
    return fake


def test_cash_sale_kick_is_recorded_with_its_receipt(drawer, journal):
    DrawerService(drawer, journal).kick_for_cash_sale("S001-T02-261126-00042", "wang")
    [kick] = journal.kicks()
    assert (kick.reason, kick.document_no, kick.staff, kick.outcome) == (
        KickReason.CASH_SALE,
        "S001-T02-261126-00042",
        "wang",
        "kicked",
    )
    assert drawer.opened == 1


def test_no_sale_open_with_permission_records_who_allowed_it(drawer, journal):
    DrawerService(drawer, journal).open_no_sale("wang", permitted=True, authorised_by="li")
    [kick] = journal.kicks()
    assert (kick.reason, kick.authorised_by) == (KickReason.NO_SALE, "li")


def test_no_sale_open_without_permission_is_refused_and_recorded(drawer, journal):
    with pytest.raises(DrawerPermissionError):
        DrawerService(drawer, journal).open_no_sale("wang", permitted=False)
    assert drawer.opened == 0
    assert [k.outcome for k in journal.kicks()] == ["refused"]


def test_failed_kick_is_recorded_and_raised(journal):
    class UnpluggedDrawer(FakeCashDrawer):
        def open_drawer(self) -> None:
            raise DeviceOfflineError("printer unplugged")

    drawer = UnpluggedDrawer()
    drawer.start()
    with pytest.raises(DeviceOfflineError):
        DrawerService(drawer, journal).kick_for_cash_sale("R1", "wang")
    assert [(k.outcome, k.detail) for k in journal.kicks()] == [("failed", "printer unplugged")]


def test_till_without_drawer_says_so(journal):
    with pytest.raises(DeviceNotConfiguredError):
        DrawerService(None, journal).kick_for_cash_sale("R1", "wang")
