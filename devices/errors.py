"""Device errors, each with a stable `code` the till can show and log."""

from __future__ import annotations


class DeviceError(Exception):
    """A device could not do what was asked."""

    code = "device_error"


class IllegalStateError(DeviceError):
    """The call is not allowed in the device's current lifecycle state (UnifiedPOS E_ILLEGAL)."""

    code = "device_illegal_state"


class DeviceOfflineError(DeviceError):
    """The device cannot be reached: unplugged, powered off or its daemon is down."""

    code = "device_offline"


class PrinterFaultError(DeviceError):
    """The printer is reachable but cannot print (cover open, paper out, error stop)."""

    code = "printer_fault"


class CardReadError(DeviceError):
    """A card answered, but not with a member application we understand."""

    code = "card_read_error"
