"""An IC-card reader on PC/SC (pyscard): hot-plug, insert/remove events, member-card reads.

The monitor thread owns its PC/SC context. When pcscd goes away (restart, crash) every
call fails with "no service"; the thread drops the context and builds a new one, so
the till never needs restarting for a reader or daemon hiccup.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from smartcard import scard

from devices.card_apdus import (
    MEMBER_AID,
    MemberRecord,
    decode_member_record,
    get_response_apdu,
    get_uid_apdu,
    read_binary_apdu,
    select_aid_apdu,
)
from devices.errors import CardReadError, DeviceOfflineError
from devices.events import CardEvent, CardEventKind, MemberCard
from devices.lifecycle import DeviceState, Health
from devices.ports import CardReader

log = logging.getLogger(__name__)

_SERVICE_LOST = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_F_COMM_ERROR,
}
# The card went away or is still settling (a card pulled half-way, a virtual card whose
# link just dropped): not a reader fault, try again on the next state change.
_CARD_NOT_READY = {
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_E_NOT_READY,
    scard.SCARD_E_NOT_TRANSACTED,
    scard.SCARD_E_SHARING_VIOLATION,
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_W_RESET_CARD,
    scard.SCARD_W_UNPOWERED_CARD,
    scard.SCARD_W_UNRESPONSIVE_CARD,
}


class _ServiceLost(Exception):
    pass


class _CardNotReady(Exception):
    pass


def _check(hresult: int, what: str) -> None:
    if hresult in _SERVICE_LOST:
        raise _ServiceLost(f"{what}: {scard.SCardGetErrorMessage(hresult)}")
    if hresult in _CARD_NOT_READY:
        raise _CardNotReady(f"{what}: {scard.SCardGetErrorMessage(hresult)}")
    if hresult != scard.SCARD_S_SUCCESS:
        raise DeviceOfflineError(f"{what}: {scard.SCardGetErrorMessage(hresult)}")


class PcscCardReader(CardReader):
    """Watches readers whose name contains `reader_match` and reads member cards put on them."""

    def __init__(
        self,
        name: str,
        reader_match: str = "",
        aid: bytes = MEMBER_AID,
        poll_ms: int = 300,
        retry_interval: float = 0.5,
    ) -> None:
        super().__init__(name)
        self.reader_match = reader_match
        self.aid = aid
        self.poll_ms = poll_ms
        self.retry_interval = retry_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._readers: dict[str, int] = {}  # reader name -> last event state
        self._cards: dict[str, MemberCard] = {}
        self._health: Health | None = None
        self._resync = threading.Event()

    @property
    def readers(self) -> list[str]:
        with self._lock:
            return sorted(self._readers)

    def _on_claim(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"pcsc-{self.name}", daemon=True)
        self._thread.start()

    def _entered(self, state: DeviceState) -> None:
        if state is DeviceState.ENABLED:
            # Events found while claimed but not enabled were dropped: report readers and
            # cards afresh, as UnifiedPOS devices report their state when enabled.
            self._resync.set()

    def _on_release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _note(self, health: Health, detail: str) -> None:
        if health is not self._health:
            self._health = health
            log.info("card reader %s is %s (%s)", self.name, health.value, detail)
            self.emit(health.value, detail)

    def current_card(self) -> MemberCard | None:
        """Read the card on the first matching reader now, with a context of its own."""
        with self._context() as context:
            for reader in self._matching(context):
                try:
                    return self._read_card(context, reader)
                except _CardNotReady:
                    continue
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._context() as context:
                    self._note(Health.ONLINE, "PC/SC service up")
                    self._watch(context)
            except (_ServiceLost, DeviceOfflineError) as error:
                self._note(Health.OFFLINE, str(error))
                self._forget_all_readers()
                self._stop.wait(self.retry_interval)

    @contextmanager
    def _context(self) -> Iterator[int]:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise _ServiceLost(f"establish context: {scard.SCardGetErrorMessage(hresult)}")
        try:
            yield context
        finally:
            scard.SCardReleaseContext(context)

    def _matching(self, context: int) -> list[str]:
        hresult, readers = scard.SCardListReaders(context, [])
        if hresult in (scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_READER_UNAVAILABLE):
            return []
        _check(hresult, "list readers")
        return [r for r in readers if self.reader_match in r]

    def _watch(self, context: int) -> None:
        while not self._stop.is_set():
            if self._resync.is_set():
                self._resync.clear()
                with self._lock:
                    self._readers.clear()
                    self._cards.clear()
            readers = self._matching(context)
            self._sync_reader_list(readers)
            if not readers:
                self._stop.wait(self.poll_ms / 1000)
                continue
            with self._lock:
                states = [(r, self._readers.get(r, scard.SCARD_STATE_UNAWARE)) for r in readers]
            hresult, changes = scard.SCardGetStatusChange(context, self.poll_ms, states)
            if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_UNKNOWN_READER):
                continue
            _check(hresult, "wait for card")
            for reader, event_state, _atr in changes:
                self._on_reader_state(context, reader, event_state & ~scard.SCARD_STATE_CHANGED)

    def _sync_reader_list(self, readers: list[str]) -> None:
        with self._lock:
            gone = [r for r in self._readers if r not in readers]
            new = [r for r in readers if r not in self._readers]
            for reader in gone:
                del self._readers[reader]
            for reader in new:
                self._readers[reader] = scard.SCARD_STATE_UNAWARE
        for reader in gone:
            self._card_gone(reader)
            self.deliver(CardEvent(CardEventKind.READER_REMOVED, reader))
        for reader in new:
            self.deliver(CardEvent(CardEventKind.READER_ADDED, reader))

    def _forget_all_readers(self) -> None:
        self._sync_reader_list([])

    def _on_reader_state(self, context: int, reader: str, state: int) -> None:
        with self._lock:
            was_present = bool(self._readers.get(reader, 0) & scard.SCARD_STATE_PRESENT)
            self._readers[reader] = state
        present = bool(state & scard.SCARD_STATE_PRESENT) and not (state & scard.SCARD_STATE_MUTE)
        if present and not was_present:
            try:
                card: MemberCard | None = self._read_card(context, reader)
            except _CardNotReady as error:
                log.info("card on %s not ready yet: %s", reader, error)
                with self._lock:  # pretend we never saw it, so the next wait reports it again
                    self._readers[reader] = state & ~scard.SCARD_STATE_PRESENT
                self._stop.wait(self.poll_ms / 1000)
                return
            except CardReadError as error:
                log.warning("card on %s not readable: %s", reader, error)
                self.emit("unreadable-card", str(error))
                card = None
            if card is not None:
                with self._lock:
                    self._cards[reader] = card
                self.deliver(CardEvent(CardEventKind.INSERTED, reader, card))
        elif was_present and not present:
            self._card_gone(reader)

    def _card_gone(self, reader: str) -> None:
        with self._lock:
            card = self._cards.pop(reader, None)
        if card is not None:
            self.deliver(CardEvent(CardEventKind.REMOVED, reader, card))

    def _read_card(self, context: int, reader: str) -> MemberCard:
        hresult, card, protocol = scard.SCardConnect(
            context,
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        _check(hresult, f"connect to card on {reader}")
        try:
            atr = _card_atr(card)
            uid = self._uid(card, protocol)
            member = self._member_record(card, protocol)
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        if uid is None and member is None:
            raise CardReadError(f"card {atr} on {reader} has neither a UID nor a member record")
        return MemberCard(
            reader=reader,
            atr=atr,
            uid=uid,
            member_id=member.member_id if member else None,
        )

    def _uid(self, card: int, protocol: int) -> str | None:
        data, sw = _transmit(card, protocol, get_uid_apdu())
        return bytes(data).hex().upper() if sw == (0x90, 0x00) and data else None

    def _member_record(self, card: int, protocol: int) -> MemberRecord | None:
        _, sw = _transmit(card, protocol, select_aid_apdu(self.aid))
        if sw != (0x90, 0x00):
            return None
        data, sw = _transmit(card, protocol, read_binary_apdu())
        if sw != (0x90, 0x00):
            raise CardReadError(f"READ BINARY answered {sw[0]:02X}{sw[1]:02X}")
        record = decode_member_record(bytes(data))
        if record is None:
            raise CardReadError("member application holds no valid record")
        return record


def _transmit(card: int, protocol: int, apdu: list[int]) -> tuple[list[int], tuple[int, int]]:
    """Send one APDU, following 61xx (GET RESPONSE) and 6Cxx (wrong Le) as T=0 cards need."""
    hresult, response = scard.SCardTransmit(card, protocol, apdu)
    _check(hresult, "transmit")
    if len(response) < 2:
        raise CardReadError("short response from card")
    data, sw = list(response[:-2]), (response[-2], response[-1])
    if sw[0] == 0x6C:
        return _transmit(card, protocol, [*apdu[:4], sw[1]])
    while sw[0] == 0x61:
        hresult, response = scard.SCardTransmit(card, protocol, get_response_apdu(sw[1]))
        _check(hresult, "get response")
        data += list(response[:-2])
        sw = (response[-2], response[-1])
    return data, sw


def _card_atr(card: int) -> str:
    hresult, _reader, _state, _protocol, atr = scard.SCardStatus(card)
    return bytes(atr).hex().upper() if hresult == scard.SCARD_S_SUCCESS else ""
