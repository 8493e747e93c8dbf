"""Where everything is kept: one store over SQLite or PostgreSQL (SQLAlchemy Core, async), the
reminder and progress stores beside it, group commit, the tables (`schema`, the intake's inbox among them) and
the Alembic migrations that own them. A new table is a `schema` entry plus a migration here.
"""
