"""The same figures through `desk report` (CSV, PDF), with progress, cancel and bad input."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtPdf import QPdfDocument

from desk.report_command import main
from desk.reports.csv_export import export_csv
from desk.reports.documents import ReportRequest, build
from desk.reports.progress import ExportCancelled, Progress
from desk.ui.reports.pdf_export import export_pdf
from tests.reports.test_members import gym  # noqa: F401  (fixture)
from tests.reports.test_packages import shop  # noqa: F401  (fixture)

MARCH = ["--from", "2024-03-04", "--to", "2024-03-17"]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def report(db_path: Path, kind: str, out: Path, *extra: str) -> int:
    return main(["report", kind, "--db", str(db_path), *extra, "--out", str(out), "--quiet"])


def test_occupancy_csv_through_the_cli(db_path, occupancy_studio, tmp_path, capsys):
    out = tmp_path / "occupancy.csv"
    assert report(db_path, "occupancy", out, *MARCH) == 0
    written = capsys.readouterr().out.split()
    # The main table at --out, every other table beside it.
    assert written[0] == str(out)
    assert {Path(p).name for p in written} == {
        "occupancy.csv",
        "occupancy-by-service.csv",
        "occupancy-by-trainer.csv",
        "occupancy-by-room.csv",
        "occupancy-slots.csv",
        "occupancy-weeks.csv",
        "occupancy-summary.csv",
    }
    classes = rows(out)
    # S3 Mon 07:30 first; S1: 4 booked of 4, 2 attended, waitlist 2 (see conftest)
    assert [r["Starts"] for r in classes] == [
        "2024-03-04 07:30",
        "2024-03-04 18:00",
        "2024-03-06 18:00",
        "2024-03-11 18:00",
    ]
    s1 = classes[1]
    assert (s1["Class"], s1["Trainer"], s1["Room"]) == ("Reformer", "Ayşe", "Studio A")
    assert (s1["Capacity"], s1["Booked"], s1["Attended"], s1["Waitlist"]) == ("4", "4", "2", "2")
    assert (s1["Fill"], s1["Attended %"]) == ("100.0", "50.0")
    service = {r["Service"]: r for r in rows(tmp_path / "occupancy-by-service.csv")}
    # Reformer: 8 booked of 12 seats = 66.7 %, attended 6 of 12 = 50 %
    assert (service["Reformer"]["Seats"], service["Reformer"]["Booked"]) == ("12", "8")
    assert (service["Reformer"]["Fill"], service["Reformer"]["Attended %"]) == ("66.7", "50.0")
    slots = {r["Slot"]: r for r in rows(tmp_path / "occupancy-slots.csv")}
    assert slots["Mon 18:00"]["Fill"] == "87.5"  # 7 of 8
    weeks = rows(tmp_path / "occupancy-weeks.csv")
    assert [(w["Fill"], w["Change"]) for w in weeks] == [("50.0", ""), ("75.0", "25.0")]
    summary = {r["Figure"]: r["Value"] for r in rows(tmp_path / "occupancy-summary.csv")}
    assert summary["Classes"] == "4"
    assert summary["Fill rate"] == "54.5%"  # 12 of 22 seats


def test_filters_and_single_table(db_path, occupancy_studio, tmp_path, capsys):
    out = tmp_path / "heat.csv"
    trainer = str(occupancy_studio.can)
    assert report(db_path, "occupancy", out, *MARCH, "--trainer", trainer, "--table", "slots") == 0
    assert capsys.readouterr().out.split() == [str(out)]
    # Can teaches S3 (Mon 07:30, 4 of 10) and S4 (Mon 18:00, 3 of 4)
    assert [(r["Slot"], r["Booked"], r["Seats"]) for r in rows(out)] == [
        ("Mon 07:00", "4", "10"),
        ("Mon 18:00", "3", "4"),
    ]


def test_noshows_csv(db_path, occupancy_studio, tmp_path):
    out = tmp_path / "noshows.csv"
    assert report(db_path, "noshows", out, *MARCH) == 0
    members = rows(out)
    assert [(m["Member"], m["No-shows"], m["Bookings"]) for m in members][:2] == [
        ("Member 3", "1", "3"),
        ("Member 4", "1", "2"),
    ]
    assert members[0]["No-show %"] == "33.3"
    assert members[0]["Last no-show"] == "2024-03-04"
    kinds = {r["Kind"]: r for r in rows(tmp_path / "noshows-by-kind.csv")}
    assert (kinds["Group"]["Bookings"], kinds["Group"]["No-shows"]) == ("13", "2")


def test_members_csv(db_path, gym, tmp_path):  # noqa: F811
    out = tmp_path / "members.csv"
    assert report(db_path, "members", out, "--from", "2024-03-01", "--to", "2024-03-31") == 0
    assert [(r["Member"], r["Visits"]) for r in rows(out)] == [
        ("Ana", "8"),
        ("Ben", "2"),
        ("Cem", "2"),
        ("Efe", "1"),
        ("Fay", "1"),
    ]
    tapering = rows(tmp_path / "members-tapering.csv")
    assert [(t["Member"], t["Drop"]) for t in tapering] == [("Ben", "75.0"), ("Cem", "50.0")]
    lapsed = rows(tmp_path / "members-lapsed.csv")
    assert [(m["Member"], m["Days since"]) for m in lapsed] == [("Efe", "30"), ("Dila", "34")]


def test_packages_csv(db_path, shop, tmp_path):  # noqa: F811
    out = tmp_path / "money.csv"
    assert report(db_path, "packages", out, "--from", "2024-03-01", "--to", "2024-03-31") == 0
    products = rows(out)
    top = products[0]
    assert (top["Product"], top["Sales"], top["Revenue"], top["Currency"]) == (
        "10 Reformer",
        "3",
        "8750.00",
        "TRY",
    )
    liability = {r["Product"]: r for r in rows(tmp_path / "money-liability.csv")}
    assert liability["3 Spin"]["Value"] == "666.67"  # 2 × 1000.00 / 3, rounded half up
    assert liability["10 Reformer"]["Sessions left"] == "35"
    summary = {r["Figure"]: r["Value"] for r in rows(tmp_path / "money-summary.csv")}
    assert summary["Outstanding liability"] == "11,791.67 TRY"
    breakage = rows(tmp_path / "money-breakage.csv")
    assert [(b["Member"], b["Left"], b["Value"]) for b in breakage] == [("E", "4", "800.00")]


def test_bad_input_is_refused_in_plain_words(db_path, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert report(db_path, "occupancy", out, "--from", "2024-03-17", "--to", "2024-03-04") == 1
    assert "start date is after its end date" in capsys.readouterr().err
    assert report(db_path, "members", out, *MARCH, "--service", "1") == 2
    assert "whole studio" in capsys.readouterr().err
    assert report(tmp_path / "missing.sqlite3", "occupancy", out, *MARCH) == 1
    assert "No database" in capsys.readouterr().err
    assert report(db_path, "occupancy", tmp_path / "no" / "dir.csv", *MARCH) == 1
    assert "cannot write" in capsys.readouterr().err
    assert report(db_path, "occupancy", out, *MARCH, "--table", "nope") == 2
    assert "no table 'nope'" in capsys.readouterr().err
    assert not out.exists()


def _document(db, kind="occupancy"):
    with db.read() as s:
        return build(s, ReportRequest(kind, date_from=_d("2024-03-04"), date_to=_d("2024-03-17")))


def _d(text):
    from datetime import date

    return date.fromisoformat(text)


def test_progress_reaches_the_end_and_cancel_leaves_nothing(db, occupancy_studio, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    document = _document(db)
    seen: list[tuple[int, int]] = []
    files = export_csv(
        document, tmp_path / "a.csv", progress=Progress(lambda d, t, _l: seen.append((d, t)))
    )
    assert len(files) == 7 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    with pytest.raises(ExportCancelled):
        export_csv(document, tmp_path / "b.csv", progress=Progress(cancelled=lambda: True))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in files)


def _pdf_text(path: Path) -> tuple[int, str, QColor | None]:
    pdf = QPdfDocument()
    pdf.load(str(path))
    text = "\n".join(pdf.getAllText(page).text() for page in range(pdf.pageCount()))
    image = pdf.render(0, QSize(842, 595))
    inked = sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixelColor(x, y).lightness() < 200
    )
    pages = pdf.pageCount()
    pdf.close()
    return pages, text, inked


def test_pdf_opens_with_title_figures_and_tables(db, occupancy_studio, tmp_path, qapp):
    out = export_pdf(_document(db), tmp_path / "occupancy.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    pages, text, inked = _pdf_text(out)
    assert pages >= 2
    assert "Occupancy" in text and "04 Mar 2024 – 17 Mar 2024" in text
    assert "54.5%" in text  # fill rate: 12 booked of 22 seats
    assert "Fill by weekday and hour" in text and "Mon 18:00" in text
    assert "Ayşe" in text
    # Page one is not blank: charts and cards put ink on a good share of the sampled pixels.
    assert inked > 500


def test_pdf_cancel_leaves_no_file(db, occupancy_studio, tmp_path, qapp):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(ExportCancelled):
        export_pdf(_document(db), tmp_path / "x.pdf", progress=Progress(cancelled=cancel))
    assert list(tmp_path.iterdir()) == []


def test_pdf_through_the_command_line_process(db_path, occupancy_studio, tmp_path):
    out = tmp_path / "r.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from desk.report_command import main; sys.exit(main(sys.argv[1:]))",
            "report",
            "noshows",
            "--db",
            str(db_path),
            *MARCH,
            "--format",
            "pdf",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=_headless_env(),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert out.read_bytes()[:5] == b"%PDF-"


def _headless_env():
    import os

    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env
