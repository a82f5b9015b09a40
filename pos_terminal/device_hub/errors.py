"""Hub errors with stable codes for the till's JSON error mapping."""

from __future__ import annotations

from devices.errors import DeviceError


class DeviceNotConfiguredError(DeviceError):
    """The till has no such device configured."""

    code = "device_not_configured"


class DrawerPermissionError(DeviceError):
    """A no-sale drawer open was asked for without the open-drawer permission."""

    code = "drawer_permission_denied"


class UnknownPrintJobError(DeviceError):
    code = "print_job_not_found"
