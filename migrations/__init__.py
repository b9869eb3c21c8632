"""Alembic migrations for Badger's database (run them with `badger db upgrade`)."""
