"""Alembic environment of the store database."""

from chainpos.db import run_alembic_env
from store_server.models import Base

run_alembic_env(Base.metadata)
