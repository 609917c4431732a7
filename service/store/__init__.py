"""The store: SQLAlchemy, SQLite by default, PostgreSQL by URL."""
