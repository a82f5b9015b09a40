"""DrawerService: every drawer kick recorded with its reason, who asked and who allowed it."""

from __future__ import annotations

from devices.errors import DeviceError
from devices.ports import CashDrawer
from pos_terminal.device_hub.errors import DeviceNotConfiguredError, DrawerPermissionError
from pos_terminal.device_hub.journal import DeviceJournal, DrawerKick, KickReason


class DrawerService:
    def __init__(self, drawer: CashDrawer | None, journal: DeviceJournal) -> None:
        self.drawer = drawer
        self.journal = journal

    def kick_for_cash_sale(self, document_no: str, staff: str) -> DrawerKick:
        """Open the drawer for a sale paid (partly) in cash."""
        return self._kick(KickReason.CASH_SALE, staff, document_no=document_no)

    def open_no_sale(self, staff: str, *, permitted: bool, authorised_by: str = "") -> DrawerKick:
        """Open the drawer outside a sale; the caller says whether the staff (or supervisor) may."""
        if not permitted:
            self.journal.record_kick(
                KickReason.NO_SALE, staff, "refused", detail="no open-drawer permission"
            )
            raise DrawerPermissionError(f"{staff} may not open the drawer without a sale")
        return self._kick(KickReason.NO_SALE, staff, authorised_by=authorised_by or staff)

    def open_for_test(self, staff: str) -> DrawerKick:
        return self._kick(KickReason.TEST, staff)

    def is_open(self) -> bool | None:
        return None if self.drawer is None else self.drawer.is_open()

    def _kick(
        self, reason: KickReason, staff: str, *, document_no: str = "", authorised_by: str = ""
    ) -> DrawerKick:
        if self.drawer is None:
            raise DeviceNotConfiguredError("this till has no cash drawer")
        try:
            self.drawer.open_drawer()
        except DeviceError as error:
            self.journal.record_kick(
                reason,
                staff,
                "failed",
                document_no=document_no,
                authorised_by=authorised_by,
                detail=str(error),
            )
            raise
        return self.journal.record_kick(
            reason, staff, "kicked", document_no=document_no, authorised_by=authorised_by
        )
