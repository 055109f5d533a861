"""Where the supervisor's diagram counts a step: on its own shape, or on the one call activity
that calls its sub-process; anywhere else it is listed apart, never dropped or counted twice."""

from __future__ import annotations

from pathlib import Path

from app.services.deadlines.diagram_steps import Elsewhere, place

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def bundle(*processes: str) -> dict[str, str]:
    return {
        f"p{i}.bpmn": f"<bpmn:definitions {NS}>{body}</bpmn:definitions>"
        for i, body in enumerate(processes)
    }


MAIN = (
    '<bpmn:process id="main"><bpmn:userTask id="check" name="Kiểm tra"/>'
    '<bpmn:callActivity id="scan" calledElement="digitize"/>'
    '<bpmn:callActivity id="post_in" calledElement="post"/>'
    '<bpmn:callActivity id="post_out" calledElement="post"/></bpmn:process>'
)
DIGITIZE = (
    '<bpmn:process id="digitize"><bpmn:userTask id="classify" name="Phân loại"/>'
    '<bpmn:userTask id="verify" name="Xác thực"/><bpmn:userTask id="check"/></bpmn:process>'
)
POST = '<bpmn:process id="post"><bpmn:userTask id="hand_over" name="Gửi bưu chính"/></bpmn:process>'


def c(open_: int, soon: int = 0, late: int = 0) -> dict[str, int]:
    return {"open": open_, "due_soon": soon, "overdue": late}


def test_a_step_of_the_drawn_process_is_counted_on_its_own_shape():
    placed = place(bundle(MAIN, DIGITIZE, POST), "main", {"check": c(2, 1, 0)})
    assert placed.counts == {"check": {**c(2, 1, 0), "steps": ["check"]}}
    assert placed.elsewhere == []


def test_steps_of_a_process_called_once_add_up_on_the_call_activity():
    placed = place(
        bundle(MAIN, DIGITIZE, POST), "main", {"classify": c(2, 0, 1), "verify": c(1, 1, 0)}
    )
    assert placed.counts == {"scan": {**c(3, 1, 1), "steps": ["classify", "verify"]}}


def test_a_step_of_a_process_called_from_two_places_is_listed_apart_not_counted_twice():
    placed = place(bundle(MAIN, DIGITIZE, POST), "main", {"hand_over": c(4)})
    assert placed.counts == {}
    assert placed.elsewhere == [Elsewhere("hand_over", "Gửi bưu chính", c(4))]


def test_a_step_missing_from_the_bundle_is_listed_apart_under_its_id():
    placed = place(bundle(MAIN), "main", {"gone": c(1)})
    assert placed.elsewhere == [Elsewhere("gone", "gone", c(1))]


def test_the_drawn_process_wins_an_id_its_sub_process_shares():
    placed = place(bundle(DIGITIZE, MAIN), "main", {"check": c(1)})
    assert placed.counts == {"check": {**c(1), "steps": ["check"]}}


def test_a_file_with_entities_or_broken_xml_is_not_read():
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<bpmn:definitions {NS}><bpmn:process id="digitize">'
        '<bpmn:userTask id="classify" name="&x;"/></bpmn:process></bpmn:definitions>'
    )
    files = {"main.bpmn": bundle(MAIN)["p0.bpmn"], "evil.bpmn": hostile, "bad.bpmn": "<bpmn:"}
    placed = place(files, "main", {"classify": c(1)})
    assert placed.counts == {}
    assert placed.elsewhere == [Elsewhere("classify", "classify", c(1))]


def test_the_demo_counter_model_shows_sub_process_steps_on_their_call_activities():
    files = {p.name: p.read_text(encoding="utf-8") for p in BPMN_DIR.glob("*.bpmn")}
    placed = place(
        files,
        "counter_dossier",
        {"classify": c(1), "create_portal_account": c(2), "hand_to_bcci": c(3), "appraisal": c(1)},
    )
    assert placed.counts["digitize"]["steps"] == ["classify"]
    assert placed.counts["check_account"]["open"] == 2
    assert placed.counts["appraisal"]["open"] == 1
    assert [e.element_id for e in placed.elsewhere] == ["hand_to_bcci"]
