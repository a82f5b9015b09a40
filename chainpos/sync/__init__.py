"""The sync engine, written once for every tier (DESIGN.md §4).

Upward, documents leave a tier through its outbox (`outbox`, `forwarder`) and are
applied exactly once by the next tier (`receiver`). Downward, master data flows as a
versioned change feed with a paged snapshot for the initial load (`feed`). Each tier
declares the tables from the mixins in `models` on its own declarative base and hands
them to the engine as a `SyncTables` bundle.
"""
