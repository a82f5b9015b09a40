"""The customer display page, `GET /customer-display/`, in headless Chromium.

The test drives the hub the way the till does (`hub.customer_display.show_line`, ...) and
reads what a customer would see: the page's visible text, kept up to date through the
server-sent events at /customer-display/events, also after a reload and after the till's
server went away and came back (the page's EventSource reconnects by itself).
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_test_support import LiveServer, expect

from loyalty.members import mask_mobile
from pos_terminal.device_hub.hub import DeviceHub

MOBILE = "13800138000"


@pytest.fixture
def display(page: Any, server: LiveServer) -> Any:
    """The customer page, showing the hub's view of a till with no sale yet."""
    page.goto(f"{server.url}/customer-display/")
    expect(page.locator("#total")).to_have_text("0.00")
    return page


def visible(page: Any) -> str:
    return str(page.locator("body").inner_text())


def test_page_follows_the_sale(display, hub: DeviceHub, page_errors):
    screen = hub.customer_display
    line, total = display.locator("#line"), display.locator("#total")
    member = display.locator("#member")
    expect(line).to_have_text("")
    expect(member).to_be_hidden()

    screen.show_line("可口可乐 Coke 330ml", "2", 600, 600)
    expect(line).to_have_text("可口可乐 Coke 330ml 2 6.00")  # whitespace normalised
    expect(total).to_have_text("6.00")

    screen.show_line("Bananas", "0.512kg", 357, 957)
    expect(line).to_have_text("Bananas 0.512kg 3.57")
    expect(total).to_have_text("9.57")
    expect(member).to_be_hidden()

    screen.show_member(mask_mobile(MOBILE), 1200, 5000)  # the till names a member by mobile
    expect(member).to_be_visible()
    expect(display.locator("#member-name")).to_have_text("138****8000")
    expect(display.locator("#points")).to_have_text("1200")
    expect(display.locator("#balance")).to_have_text("50.00")
    expect(line).to_have_text("Bananas 0.512kg 3.57")  # a member does not hide the sale

    screen.show_total(957)
    expect(line).to_have_text("")
    expect(total).to_have_text("9.57")
    expect(display.locator("#points")).to_have_text("1200")
    assert MOBILE not in visible(display)
    assert MOBILE not in display.content()  # nor anywhere in the page

    screen.clear()
    expect(total).to_have_text("0.00")
    expect(member).to_be_hidden()
    expect(line).to_have_text("")
    assert page_errors == []


def test_a_named_member_shows_points_and_balance(display, hub: DeviceHub, page_errors):
    hub.customer_display.show_member("王芳", 880, 12345)
    expect(display.locator("#member")).to_have_text(
        "会员 王芳 · 积分 Points 880 · 余额 Balance 123.45"
    )
    assert page_errors == []


def test_a_message_and_back_to_the_sale(display, hub: DeviceHub, page_errors):
    screen = hub.customer_display
    screen.show_line("Bananas", "1", 357, 357)
    screen.show_message("请稍候 Please wait")
    expect(display.locator("#message")).to_have_text("请稍候 Please wait")
    screen.show_line("Milk", "1", 450, 807)  # a new line clears the message
    expect(display.locator("#message")).to_have_text("")
    expect(display.locator("#line")).to_have_text("Milk 1 4.50")
    assert page_errors == []


def test_reloaded_page_shows_the_current_view_and_keeps_following(
    display, hub: DeviceHub, page_errors
):
    screen = hub.customer_display
    screen.show_line("Milk", "1", 450, 450)
    screen.show_member(mask_mobile(MOBILE), 300, 2000)
    expect(display.locator("#total")).to_have_text("4.50")

    display.reload()
    # Nothing new was published: what shows came with the stream's first event.
    expect(display.locator("#line")).to_have_text("Milk 1 4.50")
    expect(display.locator("#total")).to_have_text("4.50")
    expect(display.locator("#member-name")).to_have_text("138****8000")
    expect(display.locator("#balance")).to_have_text("20.00")

    screen.show_line("Bread", "1", 800, 1250)
    expect(display.locator("#line")).to_have_text("Bread 1 8.00")
    expect(display.locator("#total")).to_have_text("12.50")
    assert page_errors == []


def test_page_reconnects_after_the_till_server_comes_back(
    display, hub: DeviceHub, server: LiveServer, page_errors
):
    screen = hub.customer_display
    screen.show_line("Milk", "1", 450, 450)
    expect(display.locator("#total")).to_have_text("4.50")

    server.stop()  # the till's web process goes away; its open streams drop
    screen.show_line("Bread", "1", 800, 1250)  # the sale goes on meanwhile
    screen.show_member(mask_mobile(MOBILE), 1250, 0)
    display.wait_for_timeout(300)
    expect(display.locator("#total")).to_have_text("4.50")  # nothing can reach the page
    server.start()  # same port

    # No reload: the page's EventSource reconnects (retry: 1000 ms) and catches up.
    expect(display.locator("#line")).to_have_text("Bread 1 8.00")
    expect(display.locator("#total")).to_have_text("12.50")
    expect(display.locator("#points")).to_have_text("1250")
    expect(display.locator("#balance")).to_have_text("0.00")

    screen.show_total(1250)
    expect(display.locator("#line")).to_have_text("")
    assert page_errors == []
