"""The model repository (kho mô hình quy trình): versions, export/import as zip, which version
each procedure uses (rollback = choosing an earlier one). Editing and deploying is for analysts
and administrators; every change is audited."""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from sqlalchemy import select

from app.domain.model_files import process_xml
from app.engine.migration import SpecChanges, spec_changes
from app.i18n import _l
from app.models import ModelVersion, Procedure, ProcessModel
from app.services.core import audit, runtime
from app.services.core.actors import Actor
from app.services.core.errors import Forbidden, InvalidInput, NotFound
from app.services.process_models.deploy import check_bundle, deploy, refuse_problems
from app.storage.db import db

MAX_FILES = 200
MAX_TOTAL_BYTES = 20 * 1024 * 1024
# What a damaged or hostile zip raises while opened or read (bad CRC, broken deflate stream,
# truncated member, encryption, an unknown compression method, bad offsets).
UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
    ValueError,
    struct.error,
)
SUFFIXES = (".bpmn", ".dmn", ".json")


def _require_modeller(actor: Actor) -> None:
    if not (actor.agencies_for("analyst") or actor.agencies_for("admin")):
        raise Forbidden(_l("Chỉ cán bộ phân tích nghiệp vụ hoặc quản trị"))


@dataclass(frozen=True)
class VersionInfo:
    id: int
    process_id: str
    model_name: str
    content_hash: str
    deployed_by: str
    deployed_at: datetime
    comment: str
    used_by: list[str]


def versions(actor: Actor) -> list[VersionInfo]:
    """Every deployed version, newest first, with the procedures that use it."""
    _require_modeller(actor)
    with db.transaction() as session:
        used: dict[int, list[str]] = {}
        for code, version_id in session.execute(select(Procedure.code, Procedure.model_version_id)):
            used.setdefault(version_id, []).append(code)
        rows = session.execute(
            select(ModelVersion, ProcessModel.name)
            .join(ProcessModel)
            .order_by(ModelVersion.id.desc())
        ).all()
        return [
            VersionInfo(
                v.id,
                v.process_id,
                name,
                v.content_hash,
                v.deployed_by,
                v.deployed_at,
                v.comment,
                sorted(used.get(v.id, [])),
            )
            for v, name in rows
        ]


def export_zip(version_id: int, actor: Actor) -> tuple[str, bytes]:
    """Download a deployed model version as a zip bundle."""
    _require_modeller(actor)
    with db.transaction() as session:
        version = session.get(ModelVersion, version_id)
        if version is None:
            raise NotFound(_l("Không tìm thấy phiên bản"))
        return f"{version.process_id}-{version.content_hash[:12]}.zip", bundle_zip(version.files)


def bundle_zip(files: dict[str, str]) -> bytes:
    """A bundle as a zip, files in name order (the same bundle gives the same members)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    return buffer.getvalue()


def read_zip(data: bytes) -> dict[str, str]:
    """The bundle in an uploaded zip; refused when unsafe (traversal, too big, too many)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UNREADABLE_ZIP as exc:
        raise InvalidInput(_l("Tệp không phải zip hợp lệ")) from exc
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_FILES:
        raise InvalidInput(_l("Quá nhiều tệp trong gói (> %(most)s)", most=MAX_FILES))
    if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
        raise InvalidInput(_l("Gói quá lớn khi giải nén"))
    files: dict[str, str] = {}
    for member in members:
        path = PurePosixPath(member.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in member.filename:
            raise InvalidInput(
                _l("Đường dẫn không an toàn trong gói: %(filename)s", filename=member.filename)
            )
        if path.suffix not in SUFFIXES:
            continue
        try:
            files[str(path)] = archive.read(member).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                _l("%(filename)s không phải UTF-8", filename=member.filename)
            ) from exc
        except UNREADABLE_ZIP as exc:
            raise InvalidInput(
                _l(
                    "Không đọc được %(filename)s trong gói (tệp zip hỏng: %(exc)s)",
                    filename=member.filename,
                    exc=exc,
                )
            ) from exc
    if not any(name.endswith(".bpmn") for name in files):
        raise InvalidInput(_l("Gói không có tệp .bpmn"))
    return files


def import_zip(
    data: bytes, process_id: str, comment: str, actor: Actor, override_reason: str = ""
) -> int:
    """Validate and deploy an uploaded bundle; returns the version id (the same for the same
    content). Problems are raised as InvalidInput with one field per located problem."""
    _require_modeller(actor)
    return import_files(read_zip(data), process_id, comment, actor, override_reason)


def import_files(
    files: dict[str, str], process_id: str, comment: str, actor: Actor, override_reason: str = ""
) -> int:
    """Validate, test and deploy a bundle (from a zip or the editor); returns the version id."""
    _require_modeller(actor)
    refuse_problems(check_bundle(files, process_id))
    override_reason = override_reason.strip()
    if override_reason and not actor.agencies_for("admin"):
        raise Forbidden(_l("Chỉ quản trị viên được triển khai khi kiểm thử không đạt"))
    with db.transaction() as session:
        version = deploy(
            session,
            files,
            process_id=process_id,
            name=process_id,
            deployed_by=actor.name,
            comment=comment.strip()[:500],
            override_reason=override_reason,
        )
        if override_reason:
            audit.record(
                session,
                "model_tests_overridden",
                actor,
                dossier_id=None,
                version=version.id,
                reason=override_reason,
            )
        audit.record(
            session,
            "model_deployed",
            actor,
            dossier_id=None,
            version=version.id,
            process=process_id,
            hash=version.content_hash,
            comment=comment,
        )
        return version.id


def use_version(procedure_code: str, version_id: int, actor: Actor) -> None:
    """Point a procedure at a deployed version (forward, or back: a rollback). Running dossiers
    stay on the version they started with."""
    _require_modeller(actor)
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        version = session.get(ModelVersion, version_id)
        if procedure is None or version is None:
            raise NotFound(_l("Không tìm thấy thủ tục hoặc phiên bản"))
        if procedure.active and not procedure.result_type_code:
            # 001 §IV.1: put to work, it could not issue its result without a catalogued code
            raise InvalidInput(
                _l(
                    "Thủ tục %(code)s chưa có loại kết quả từ danh mục quốc gia",
                    code=procedure.code,
                ),
                fields={"result_type_code": _l("Đồng bộ danh mục hoặc chọn loại kết quả")},
            )
        previous = procedure.model_version_id
        procedure.model_version_id = version.id
        audit.record(
            session,
            "procedure_version_changed",
            actor,
            dossier_id=None,
            procedure=procedure.code,
            previous=previous,
            version=version.id,
        )


@dataclass(frozen=True)
class VersionDiff:
    old: VersionInfo
    new: VersionInfo
    old_xml: str
    new_xml: str
    changes: SpecChanges


def diff(old_id: int, new_id: int, actor: Actor) -> VersionDiff:
    """Two versions of a process side by side: what was added, removed and changed."""
    _require_modeller(actor)
    infos = {v.id: v for v in versions(actor)}
    if old_id not in infos or new_id not in infos:
        raise NotFound(_l("Không tìm thấy phiên bản"))
    if infos[old_id].process_id != infos[new_id].process_id:
        raise InvalidInput(_l("Chỉ so sánh hai phiên bản của cùng một quy trình"))
    with db.transaction() as session:
        old_def = runtime.definition_by_id(session, old_id)
        new_def = runtime.definition_by_id(session, new_id)
    return VersionDiff(
        infos[old_id],
        infos[new_id],
        _main_xml(old_def),
        _main_xml(new_def),
        spec_changes(old_def, new_def),
    )


def _main_xml(definition) -> str:  # noqa: ANN001
    xml = process_xml(definition.files, definition.process_id)
    if xml is None:  # a checked definition always has its process's file
        raise StopIteration(definition.process_id)
    return xml
