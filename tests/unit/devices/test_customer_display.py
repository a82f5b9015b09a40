from devices.fakes import FakeLineDisplay
from pos_terminal.device_hub.customer_display import CustomerDisplay, DisplayView, pole_lines
from pos_terminal.device_hub.event_stream import EventBroker


def test_pole_shows_current_line_and_total():
    assert pole_lines(DisplayView("Coke 330ml", "2", 700, 1234)) == (
        "Coke 330ml      7.00",
        "TOTAL          12.34",
    )


def test_pole_keeps_the_ascii_part_of_a_chinese_name():
    top, _ = pole_lines(DisplayView("可口可乐 Coke", "1", 350, 350))
    assert top.startswith("Coke")


def test_pole_shows_member_points_and_balance_once_identified():
    view = DisplayView(total=1234, member_name="王", member_points=880, member_balance=5000)
    assert pole_lines(view) == ("Welcome", "Pts 880        50.00")


def test_every_change_goes_to_pole_and_web_page():
    pole = FakeLineDisplay()
    pole.start()
    broker = EventBroker()
    page = broker.subscribe()
    display = CustomerDisplay(pole, broker)

    display.show_line("Coke", "2", 700, 700)
    display.show_member("王芳", 880, 5000)

    assert pole.screens[0] == ("Coke            7.00", "TOTAL           7.00")
    first, second = page.get_nowait().data, page.get_nowait().data
    assert first["total_text"] == "7.00" and first["member_points"] is None
    assert second["member_points"] == 880 and second["member_balance_text"] == "50.00"


def test_unplugged_pole_does_not_stop_the_sale():
    pole = FakeLineDisplay()  # never started: show() raises IllegalStateError
    display = CustomerDisplay(pole, EventBroker())
    display.show_total(100)
    assert display.view.total == 100


def test_a_mobile_number_never_reaches_the_customers_screen_unmasked():
    broker = EventBroker()
    display = CustomerDisplay(None, broker)
    display.show_member("王芳 13812348000", 880, 5000)
    assert display.view.member_name == "王芳 138****8000"
