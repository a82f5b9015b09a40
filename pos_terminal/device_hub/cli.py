"""`chainpos till devices ...`: list, test-print, open-drawer and read-card from a device config."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from devices.config import DeviceConfig, DeviceConfigError, load_device_config
from devices.errors import DeviceError
from devices.escpos_printer import EscposReceiptPrinter
from devices.factory import build_devices
from devices.ports import ReceiptPrinter
from pos_terminal.device_hub.hub import DeviceHub
from pos_terminal.device_hub.journal import DeviceJournal

config_option = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The till's device configuration (JSON).",
)
journal_option = click.option(
    "--journal",
    default="var/till-devices.db",
    show_default=True,
    help="SQLite file (or sqlite:/// URL) of the print-job and drawer journal.",
)


def _load(path: Path) -> DeviceConfig:
    try:
        return load_device_config(path)
    except DeviceConfigError as error:
        raise click.BadParameter(str(error), param_hint="--config") from error


def _hub(config: DeviceConfig, journal: str) -> DeviceHub:
    if journal != ":memory:" and not journal.startswith("sqlite://"):
        Path(journal).parent.mkdir(parents=True, exist_ok=True)
    return DeviceHub(build_devices(config), DeviceJournal(journal))


@click.group("devices")
def devices() -> None:
    """Work with this till's printer, drawer, scanners, card reader and display."""


@devices.command("list")
@config_option
def list_devices(config_path: Path) -> None:
    """Show the configured devices and how each answers now."""
    config = _load(config_path)
    built = build_devices(config)
    rows: list[dict[str, str]] = []
    if built.printer is not None and config.printer is not None:
        built.printer.start()
        status = built.printer.check_status()
        built.printer.close()
        rows.append(
            {
                "device": "printer",
                "where": _printer_address(built.printer),
                "status": status.describe(),
            }
        )
    if config.drawer is not None:
        rows.append(
            {"device": "drawer", "where": f"printer pin {config.drawer.pin}", "status": "-"}
        )
    for scanner in config.scanners:
        rows.append(
            {
                "device": f"scanner {scanner.name}",
                "where": scanner.port,
                "status": "present" if Path(scanner.port).exists() else "absent",
            }
        )
    if config.card_reader is not None:
        rows.append(
            {
                "device": "card reader",
                "where": config.card_reader.reader_match or "(any)",
                "status": _reader_status(config),
            }
        )
    if config.pole_display is not None:
        rows.append(
            {
                "device": "pole display",
                "where": config.pole_display.port,
                "status": "present" if Path(config.pole_display.port).exists() else "absent",
            }
        )
    for row in rows:
        click.echo(f"{row['device']:<16} {row['where']:<32} {row['status']}")


def _printer_address(printer: ReceiptPrinter) -> str:
    return printer.transport.describe() if isinstance(printer, EscposReceiptPrinter) else "-"


def _reader_status(config: DeviceConfig) -> str:
    try:
        from smartcard import scard
    except ImportError:
        return "pyscard not installed"
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return "pcscd not running"
    try:
        _, readers = scard.SCardListReaders(context, [])
    finally:
        scard.SCardReleaseContext(context)
    match = config.card_reader.reader_match if config.card_reader else ""
    found = [r for r in readers or [] if match in r]
    return ", ".join(found) if found else "no reader"


@devices.command("test-print")
@config_option
@journal_option
def test_print(config_path: Path, journal: str) -> None:
    """Print a test page (journaled like any job)."""
    hub = _hub(_load(config_path), journal)
    hub.start()
    try:
        outcome = hub.print_test_page()
    finally:
        hub.stop()
    click.echo(f"before: {outcome.before.describe()}")
    if outcome.after is not None:
        click.echo(f"after:  {outcome.after.describe()}")
    if not outcome.printed:
        raise click.ClickException(f"test page not printed: {outcome.error}")
    click.echo("printed")


@devices.command("open-drawer")
@config_option
@journal_option
@click.option("--staff", required=True, help="Who opens the drawer (recorded).")
def open_drawer(config_path: Path, journal: str, staff: str) -> None:
    """Kick the cash drawer (recorded as a test open)."""
    hub = _hub(_load(config_path), journal)
    hub.start()
    try:
        hub.drawer.open_for_test(staff)
        time.sleep(0.2)  # the switch changes only after the kick has pulled the bolt
        state = hub.drawer.is_open()
    except DeviceError as error:
        raise click.ClickException(str(error)) from error
    finally:
        hub.stop()
    click.echo(
        f"drawer kicked; drawer is {'unknown' if state is None else 'open' if state else 'closed'}"
    )


@devices.command("read-card")
@config_option
@click.option("--wait", default=10.0, show_default=True, help="Seconds to wait for a card.")
def read_card(config_path: Path, wait: float) -> None:
    """Read the member card on the reader and print it as JSON."""
    config = _load(config_path)
    if config.card_reader is None:
        raise click.ClickException("no card_reader in the device configuration")
    hub = DeviceHub(build_devices(config), DeviceJournal("sqlite://"))
    deadline = time.monotonic() + wait
    while True:
        try:
            card = hub.read_card()
        except DeviceError as error:
            card = None
            last_error = str(error)
        else:
            last_error = "no card on the reader"
        if card is not None:
            click.echo(
                json.dumps(
                    {
                        "reader": card.reader,
                        "atr": card.atr,
                        "uid": card.uid,
                        "member_id": card.member_id,
                    }
                )
            )
            return
        if time.monotonic() >= deadline:
            raise click.ClickException(last_error)
        time.sleep(0.2)
