"""`flask reorg …` and `flask units sync` for administrators who script the cut-over: a CSV
plan dry-run, recorded, applied by two processes at once and reported; bad files get a message
and exit code 1."""

from __future__ import annotations

import pytest

from tests.services import reorg_world as world

CSV = """kind,source,target,roles,name,parent,level
new_agency,M,,,UBND xã Tiên Lữ,000.00.00.H31,3
new_agency,M.TP,,,Phòng Văn hoá - Xã hội xã Tiên Lữ,M,4
agency,X1,M,,,,
agency,X2,M,,,,
agency,X3,M,,,,
agency,D,M,,,,
department,D.TP,M.TP,,,,
officer,tn1,M,reception,,,
officer,cv1,M,processing,,,
officer,ld1,M,leader,,,
officer,tn2,M,reception,,,
officer,dld,M,leader,,,
"""


def test_a_csv_plan_from_dry_run_to_report(app, tmp_path):
    world.build()
    d = world.seed_dossiers()
    path = tmp_path / "plan.csv"
    path.write_text(CSV, encoding="utf-8")
    cli = app.test_cli_runner()
    args = [str(path), "--name", "Sắp xếp thử", "--cutover", "2025-07-01T00:00:00+07:00"]
    dry = cli.invoke(args=["reorg", "dry-run", *args])
    assert dry.exit_code == 0, dry.output
    assert dry.output.strip().splitlines()[-1] == "moved=6 refused=1"
    assert f"{d.claimed_leaving}: moved X2 → M" in dry.output
    assert "(trả về nhóm, đang do Hoàng Văn Năm)" in dry.output
    recorded = cli.invoke(args=["reorg", "record", *args])
    assert recorded.exit_code == 0, recorded.output
    plan_id = recorded.output.strip()
    applied = cli.invoke(args=["reorg", "apply", plan_id, "--workers", "2"])
    assert applied.exit_code == 0, applied.output
    assert "trước 7 = chuyển 6 + đã xong 0 + từ chối 1 + còn chờ 0" in applied.output
    assert f"{d.stranded}: Phòng Văn hoá - Xã hội xã Tiên Lữ không có cán bộ" in applied.output
    again = cli.invoke(args=["reorg", "report", plan_id])
    assert again.output.splitlines()[0] == applied.output.splitlines()[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "Tệp phương án trống"),
        ('{"name": "x", "cutover_at": "2025-07-01", "agencies": [', "JSON không đọc được"),
        ("kind,source\nagency,X1\n", "Tệp CSV thiếu cột: target"),
    ],
)
def test_a_bad_plan_file_gets_a_message_and_exit_code_1(app, tmp_path, content, message):
    path = tmp_path / "plan.txt"
    path.write_text(content, encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["reorg", "dry-run", str(path), "--name", "x", "--cutover", "2025-07-01"]
    )
    assert result.exit_code == 1
    assert message in result.output


def test_apply_of_an_unknown_plan_says_so(app):
    result = app.test_cli_runner().invoke(args=["reorg", "apply", "999"])
    assert result.exit_code == 1 and "Không có phương án số 999" in result.output
