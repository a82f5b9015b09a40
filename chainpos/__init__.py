"""The `chainpos` command and the infrastructure every tier shares.

Tiers (pos_terminal, store_server, hq_server) build on this package: the database
setup, request signing between tiers, the sync engine (outbox, receiver, change
feed), the JSON error edge and the OpenAPI registry. Domain rules live in
retail/ and loyalty/, never here.
"""
