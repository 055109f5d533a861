"""The model repository: export/import round trip, safe uploads, choosing and rolling back the
version a procedure uses while running dossiers stay on theirs."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from app.models import AuditEvent, ModelVersion, Procedure, ProcessInstance
from app.services.core import queue
from app.services.core.errors import Forbidden, InvalidInput
from app.services.process_models import models_repo
from app.storage.db import db
from tests.services.helpers import receive
from tests.web.helpers import login, token


@pytest.fixture(autouse=True)
def no_queue(app, monkeypatch):
    monkeypatch.setattr(queue, "enqueue", lambda ids, waited: None)


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def current_version() -> int:
    with db.transaction() as session:
        return session.scalar(
            select(Procedure.model_version_id).where(Procedure.code == "2.000488")
        )


def test_export_then_import_of_every_model_gives_the_same_version(actors):
    with db.transaction() as session:
        version_ids = session.scalars(select(ModelVersion.id)).all()
    for version_id in version_ids:
        _, data = models_repo.export_zip(version_id, actors["phantich"])
        with db.transaction() as session:
            process_id = session.get(ModelVersion, version_id).process_id
        assert (
            models_repo.import_zip(data, process_id, "round trip", actors["phantich"]) == version_id
        )


def test_a_changed_bundle_deploys_a_new_version_and_procedures_can_roll_back(actors):
    first = current_version()
    _, data = models_repo.export_zip(first, actors["phantich"])
    files = models_repo.read_zip(data)
    files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"].replace(
        'name="Thẩm định hồ sơ"', 'name="Thẩm định và xác minh hồ sơ"'
    )
    running = receive(actors["tiepnhan"])
    second = models_repo.import_zip(
        zipped(files), "counter_dossier", "đổi tên bước", actors["phantich"]
    )
    assert second != first
    models_repo.use_version("2.000488", second, actors["phantich"])
    newer = receive(actors["tiepnhan"])
    with db.transaction() as session:
        pinned = dict(
            session.execute(
                select(ProcessInstance.dossier_id, ProcessInstance.model_version_id)
            ).all()
        )
        kinds = session.scalars(
            select(AuditEvent.kind).where(AuditEvent.dossier_id.is_(None))
        ).all()
    assert sorted(pinned.values()) == [first, second]
    assert running != newer and "procedure_version_changed" in kinds and "model_deployed" in kinds
    models_repo.use_version("2.000488", first, actors["phantich"])
    assert current_version() == first


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        ({"../evil.bpmn": "<x/>"}, "không an toàn"),
        ({"/etc/passwd.bpmn": "<x/>"}, "không an toàn"),
        ({"readme.txt": "hi"}, "không có tệp .bpmn"),
    ],
)
def test_unsafe_or_empty_uploads_are_refused(actors, entries, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        models_repo.import_zip(zipped(entries), "p", "", actors["phantich"])


def test_not_a_zip_is_refused(actors):
    with pytest.raises(InvalidInput, match="zip"):
        models_repo.import_zip(b"PK\x03\x04 broken", "p", "", actors["phantich"])


def upload_as_analyst(client, files: dict[str, str]):  # noqa: ANN201 - a test response
    """The analyst uploads `files` as a bundle for counter_dossier on the models page."""
    login(client, "phantich")
    return client.post(
        "/models/import",
        data={
            "bundle": (io.BytesIO(zipped(files)), "bad.zip"),
            "process_id": "counter_dossier",
            "comment": "",
            "csrf_token": token(client, "/models"),
        },
        content_type="multipart/form-data",
    )


def test_a_broken_bundle_is_refused_with_located_problems_on_the_page(client, actors):
    _, data = models_repo.export_zip(current_version(), actors["phantich"])
    files = models_repo.read_zip(data)
    files["counter_dossier.bpmn"] = files["counter_dossier.bpmn"].replace(
        "<bpmn:flowNodeRef>appraisal</bpmn:flowNodeRef>", ""
    )
    response = upload_as_analyst(client, files)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "counter_dossier.bpmn:" in html and "· appraisal" in html
    # the element by its label, then what is wrong
    assert "<strong>Thẩm định hồ sơ</strong>" in html and "không thuộc làn nào" in html
    assert '"marks": {"appraisal": "problem"}' in html


def test_one_deleted_flow_in_an_uploaded_bundle_is_one_problem_with_its_knock_ons_folded(
    client, actors
):
    _, data = models_repo.export_zip(current_version(), actors["phantich"])
    files = models_repo.read_zip(data)
    bpmn = files["counter_dossier.bpmn"]
    start = bpmn.index('<bpmn:sequenceFlow id="Flow_milestone_processing_appraisal"')
    files["counter_dossier.bpmn"] = bpmn[:start] + bpmn[bpmn.index("/>", start) + 2 :]
    response = upload_as_analyst(client, files)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    begin = html.index('id="problems"')
    section = html[begin : html.index("</section>", begin)]
    top = section.split('<ul class="problems">', 1)[1]
    # one top-level problem, on the element left without a way on; the rest under it
    assert top.count("<details>") == 1 and "Kéo theo" in top
    assert "<strong>Thẩm định hồ sơ</strong>" in top.split("<details>", 1)[1]


def test_only_analysts_and_admins_manage_models(client, actors):
    with pytest.raises(Forbidden):
        models_repo.versions(actors["tiepnhan"])
    login(client, "tiepnhan")
    assert client.get("/models").status_code == 403


def test_migration_screens_dry_run_then_apply(client, actors):
    from tests.services.test_migrations import deploy_variant

    receive(actors["tiepnhan"])
    target = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    login(client, "phantich")
    preview = client.get(f"/models/migrate?source=1&target={target}").get_data(as_text=True)
    assert "Có thể chuyển: <strong>1</strong>" in preview
    response = client.post(
        "/models/migrate",
        data={"source": 1, "target": target, "csrf_token": token(client, "/models")},
    )
    assert response.status_code == 302
    with db.transaction() as session:
        assert session.scalars(select(ProcessInstance.model_version_id)).all() == [target]
    assert client.get(f"/models/migrate?source={target}&target={target}").status_code == 422


def test_failing_model_tests_block_deploy_unless_an_admin_overrides(actors):
    _, data = models_repo.export_zip(current_version(), actors["phantich"])
    files = models_repo.read_zip(data)
    files["tests/accept.test.json"] = files["tests/accept.test.json"].replace(
        '"statuses": [1, 2, 4, 9, 10]', '"statuses": [1, 2, 10]'
    )
    with pytest.raises(InvalidInput) as err:
        models_repo.import_zip(zipped(files), "counter_dossier", "", actors["phantich"])
    assert "tests/accept.test.json" in err.value.fields
    with pytest.raises(Forbidden):
        models_repo.import_zip(
            zipped(files), "counter_dossier", "", actors["phantich"], override_reason="gấp"
        )
    version = models_repo.import_zip(
        zipped(files),
        "counter_dossier",
        "",
        actors["quantri"],
        override_reason="Sửa lỗi gấp, kiểm thử sẽ cập nhật sau",
    )
    with db.transaction() as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.kind == "model_tests_overridden")
        )
    assert event.data == {"version": version, "reason": "Sửa lỗi gấp, kiểm thử sẽ cập nhật sau"}


def test_version_diff_lists_and_marks_added_removed_and_changed_steps(client, actors):
    from tests.services.test_migrations import deploy_variant

    target = deploy_variant('name="Phê duyệt kết quả"', 'name="Lãnh đạo phê duyệt"')
    changes = models_repo.diff(1, target, actors["phantich"]).changes
    assert [c[0] for c in changes.changed] == ["approval"] and "bpmn_name" in changes.changed[0][2]
    assert changes.added == [] and changes.removed == []
    login(client, "phantich")
    html = client.get(f"/models/diff?old=1&new={target}").get_data(as_text=True)
    assert '"approval": "changed"' in html and "Lãnh đạo phê duyệt" in html
    assert client.get("/models/diff?old=1&new=999").status_code == 404
