"""Use cases, one module per area. Each takes a SQLAlchemy session, never commits, returns
plain frozen dataclasses. No Qt."""
