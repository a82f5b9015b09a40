"""Wiring the sync engine into a tier: push the outbox up, pull the feed down."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work
from chainpos.sync.client import SignedClient
from chainpos.sync.enrolment import credentials
from chainpos.sync.feed import ApplyChanges, FeedPuller
from chainpos.sync.forwarder import Forwarder
from chainpos.sync.models import SyncTables
from chainpos.sync.worker import SyncTask, SyncWorker


class UpstreamLink:
    """This tier's forwarder and feed puller, built from its enrolment when first needed."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        tables: SyncTables,
        apply_changes: ApplyChanges,
        *,
        timeout: float = 5.0,
        page_size: int = 2000,
    ):
        self.factory = factory
        self.tables = tables
        self.apply_changes = apply_changes
        self.timeout = timeout
        self.page_size = page_size
        self._client: SignedClient | None = None
        self._forwarder: Forwarder | None = None
        self._puller: FeedPuller | None = None

    def client(self) -> SignedClient:
        if self._client is None:
            with unit_of_work(self.factory) as session:
                url, creds = credentials(session, self.tables)
            self._client = SignedClient(url, creds, timeout=self.timeout)
        return self._client

    def push(self) -> object:
        if self._forwarder is None:
            self._forwarder = Forwarder(self.factory, self.tables, self.client())
        return self._forwarder.push_once()

    def pull(self) -> object:
        if self._puller is None:
            self._puller = FeedPuller(
                self.factory,
                self.tables,
                self.client(),
                self.apply_changes,
                page_size=self.page_size,
            )
        return self._puller.pull_once()

    def worker(self, interval: float = 1.0) -> SyncWorker:
        return SyncWorker(
            [
                SyncTask("push", self.push, interval=interval),
                SyncTask("pull", self.pull, interval=interval),
            ]
        )
