"""Alembic environment: migrations run on the connection service.store.migrate hands over."""
from __future__ import annotations

from alembic import context

from service.store.db import Base, load_tables

load_tables()
connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
