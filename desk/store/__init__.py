"""Persistence: SQLAlchemy models, engine setup, transactions and migrations. No Qt."""
