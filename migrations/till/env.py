"""Alembic environment of the till database."""

from chainpos.db import run_alembic_env
from pos_terminal.models import Base

run_alembic_env(Base.metadata)
