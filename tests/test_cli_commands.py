"""Every subcommand is reachable from `desk` and refuses bad input in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.cli import COMMANDS, main


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_command_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    assert f"desk {name}" in capsys.readouterr().out


def test_screenshots_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["screenshots", "--db", str(tmp_path / "missing.sqlite3"), "--out", str(tmp_path)])
    assert code != 0
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()


def test_sync_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sync", "--db", str(tmp_path / "missing.sqlite3"), "--once"])
    assert code != 0
    assert "no database" in capsys.readouterr().err
