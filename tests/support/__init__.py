"""Test harness that starts real parts: PostgreSQL, processes, a fault proxy, pgbench."""
