import pytest

from devices.errors import IllegalStateError
from devices.fakes import FakeLineDisplay
from devices.lifecycle import DeviceState, StatusEvent


def test_device_goes_through_open_claim_enable_and_back_down():
    display = FakeLineDisplay()
    seen: list[StatusEvent] = []
    display.add_status_listener(seen.append)

    display.open()
    display.claim()
    display.enable()
    display.disable()
    display.release()
    display.close()

    assert [e.status for e in seen] == [
        "opened",
        "claimed",
        "enabled",
        "claimed",
        "opened",
        "closed",
    ]
    assert display.state is DeviceState.CLOSED


def test_enable_before_claim_is_refused():
    display = FakeLineDisplay()
    display.open()
    with pytest.raises(IllegalStateError):
        display.enable()


def test_device_that_is_not_enabled_refuses_work():
    display = FakeLineDisplay()
    display.open()
    display.claim()
    with pytest.raises(IllegalStateError):
        display.show("a", "b")


def test_close_from_enabled_walks_back_through_every_state():
    display = FakeLineDisplay()
    display.start()
    display.close()
    display.close()  # closing twice is harmless
    assert display.state is DeviceState.CLOSED


def test_a_failing_status_listener_does_not_break_the_device():
    display = FakeLineDisplay()

    def broken(event: StatusEvent) -> None:
        raise RuntimeError("listener bug")

    display.add_status_listener(broken)
    display.start()
    assert display.state is DeviceState.ENABLED
