"""Alembic environment of the HQ database."""

from chainpos.db import run_alembic_env
from hq_server.models import Base

run_alembic_env(Base.metadata)
