"""The `desk` command line: version, demo, check, and the GUI launch."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest

from desk import __version__, cli
from desk.store import migrate

from .conftest import DEMO_TODAY


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_version_through_the_real_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desk", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"desk {__version__}"


@pytest.mark.parametrize(
    "argv", [["--help"], ["demo", "--help"], ["check", "--help"], ["report", "--help"]]
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 0
    assert "usage: desk" in capsys.readouterr().out


def test_demo_then_check(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--db", str(demo_db)], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("OK: schema 0001 (head), 60 members, ")


def test_demo_refuses_to_overwrite_without_force(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "studio.sqlite3"
    shutil.copy(demo_db, target)
    before = target.read_bytes()
    code, _, err = run(["demo", "--db", str(target)], capsys)
    assert code == 1 and "already exists; add --force" in err
    assert target.read_bytes() == before


def test_demo_needs_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo"])
    assert exit_info.value.code == 2
    assert "--db" in capsys.readouterr().err


def check_fails(path: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    code, out, err = run(["check", "--db", str(path)], capsys)
    assert code == 1 and out == ""
    assert err.startswith("desk: check failed: ") and message in err, err


def test_check_refuses_garbage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database, just bytes " * 200)
    check_fails(garbage, capsys, "is not a SQLite database")
    check_fails(tmp_path / "missing.sqlite3", capsys, "There is no database at")


def test_check_refuses_a_newer_database(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = tmp_path / "newer.sqlite3"
    shutil.copy(demo_db, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    conn.commit()
    conn.close()
    check_fails(newer, capsys, "written by a newer Studio Desk (schema ffff_future)")


def test_check_refuses_a_foreign_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "recipes.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    check_fails(foreign, capsys, "not a Studio Desk database")
    assert foreign.stat().st_size > 0 and not Path(f"{foreign}-wal").exists()


def test_check_finds_broken_references(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.sqlite3"
    shutil.copy(demo_db, broken)
    conn = sqlite3.connect(broken)  # foreign keys are off by default in a bare connection
    conn.execute("UPDATE bookings SET member_id = 99999 WHERE id = 1")
    conn.commit()
    conn.close()
    check_fails(broken, capsys, "pointing at missing records (in bookings)")


def test_check_finds_a_damaged_file(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    raw = bytearray(demo_db.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(raw), page * 40), page):
        raw[offset : offset + 64] = b"\xff" * 64  # smash every page header in the middle
    damaged.write_bytes(bytes(raw))
    code, _, err = run(["check", "--db", str(damaged)], capsys)
    assert code == 1
    assert "is damaged" in err and "Restore the latest backup" in err, err


def test_check_reports_an_out_of_date_schema(
    demo_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.migrations_dir(), scripts)
    (scripts / "versions" / "0002_test_only.py").write_text(
        "revision = '0002'\ndown_revision = '0001'\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n    pass\n"
    )
    monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)
    check_fails(demo_db, capsys, "has schema 0001; this desk uses 0002")


def test_gui_opens_the_given_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    fake_app = types.ModuleType("desk.app")
    fake_app.run_gui = lambda path: opened.append(path) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desk.app", fake_app)
    assert cli.main(["--db", str(tmp_path / "mine.sqlite3")]) == 0
    assert opened == [tmp_path / "mine.sqlite3"]


def test_gui_demo_opens_a_fresh_demo_copy(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    fake_app = types.ModuleType("desk.app")
    fake_app.run_gui = lambda path: opened.append(path) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desk.app", fake_app)
    copy = tmp_path / "demo-copy.sqlite3"
    copy.write_bytes(b"an old demo copy, replaced on every --demo")
    monkeypatch.setattr(cli, "demo_copy_path", lambda: copy)
    built: list[Path] = []

    def fake_write_demo(path: Path, *, seed: int, today: object) -> str:
        built.append(path)
        assert not path.exists(), "the old copy is removed first"
        shutil.copy(demo_db, path)
        return "demo"

    monkeypatch.setattr(cli, "write_demo", fake_write_demo)
    assert cli.main(["--demo"]) == 0
    assert built == [copy] and opened == [copy]


def test_gui_missing_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "desk.app", None)
    code, _, err = run(["--db", str(tmp_path / "x.sqlite3")], capsys)
    assert code == 1 and "desktop app is not available" in err


def test_demo_flag_with_a_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--demo", "check"], capsys)
    assert code == 2 and "--demo" in err


def test_demo_today_option_is_parsed() -> None:
    argv = ["demo", "--db", "x", "--today", "2026-03-04"]
    args = cli.build_parser(argv).parse_args(argv)
    assert args.today == DEMO_TODAY and args.seed == 0 and args.db == Path("x")


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in cli.COMMANDS:
        assert command.name in out


def test_report_runs_through_the_desk_command(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "occupancy.csv"
    code, _, err = run(
        [
            "report", "occupancy", "--db", str(demo_db), "--from", "2026-02-02",
            "--to", "2026-03-01", "--format", "csv", "--out", str(out_file), "--quiet",
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert out_file.exists() and out_file.stat().st_size > 0
