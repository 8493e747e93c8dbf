"""`backlinks db upgrade` (bot/app/cli/db.py), run as a subprocess."""

from __future__ import annotations

import subprocess

from processes import BACKLINKS
from support import rows


def test_db_upgrade_names_the_database_it_migrated(tmp_path):
    db = tmp_path / "fresh.db"
    done = subprocess.run([BACKLINKS, "db", "upgrade", "--database", str(db)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"The database schema of sqlite:///{db} is up to date.\n"
    assert rows(db, "SELECT version_num FROM alembic_version")


def test_db_upgrade_names_a_server_database_without_its_password(postgres_url):
    import sqlalchemy as sa

    url = sa.engine.make_url(postgres_url).set(drivername="postgresql", password="hunter2")
    database = url.render_as_string(hide_password=False)
    done = subprocess.run([BACKLINKS, "db", "upgrade", "--database", database], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"The database schema of {url.render_as_string(hide_password=True)} is up to date.\n"
    assert "hunter2" not in done.stdout and ":***@" in done.stdout
