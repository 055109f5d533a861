"""The decision tables (DMN) of a model bundle, as the model validation (kiểm tra mô hình)
reads them: readable, named by the business rule tasks, their expressions safe."""

from __future__ import annotations

from lxml import etree

from app.engine import safe_xml
from app.engine.errors import Problem
from app.engine.sandbox import check_expression
from app.engine.validation_files import NS, Trees
from app.i18n import _, _l


def decision_tables(files: dict[str, str]) -> tuple[Trees, list[Problem]]:
    """The bundle's DMN files parsed once (a DOCTYPE was refused before); the first unreadable
    one as the only problem."""
    tables = {}
    for name, text in files.items():
        if name.endswith(".dmn"):
            try:
                tables[name] = safe_xml.parse(text)
            except etree.XMLSyntaxError as exc:
                problem = Problem(
                    _l("DMN không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno, "dmn-xml"
                )
                return {}, [problem]
    return tables, []


def decision_references(tables: Trees, trees: Trees) -> list[Problem]:
    """Business rule tasks must name a decision of one of the bundle's DMN files."""
    known = {
        el.get("id")
        for root in tables.values()
        for el in root.iter()
        if etree.QName(el).localname == "decision"
    }
    found = []
    for name, tree in trees.items():
        for el in tree.iter(f"{{{NS['bpmn']}}}businessRuleTask"):
            decision = el.findtext(".//spiffworkflow:calledDecisionId", default="", namespaces=NS)
            if not decision.strip():
                code, message = "decision-not-chosen", _("chưa chọn bảng quyết định (DMN)")
            elif decision.strip() not in known:
                code = "decision-missing"
                message = _(
                    "bảng quyết định «%(decision)s» không có trong gói", decision=decision.strip()
                )
            else:
                continue
            label = el.get("name") or None
            found.append(Problem(message, name, el.get("id"), el.sourceline, code, name=label))
    return found


def decision_code(tables: Trees, known: frozenset[str]) -> list[Problem]:
    """Decision tables' input expressions and output entries run in the sandbox too."""
    found = []
    for name, root in sorted(tables.items()):
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            if etree.QName(el).localname not in ("inputExpression", "outputEntry"):
                continue
            source = (el.findtext("{*}text") or "").strip()
            for error in check_expression(source, known) if source else []:
                found.append(
                    Problem(
                        _l("biểu thức: %(error)s", error=error),
                        name,
                        el.get("id"),
                        el.sourceline,
                        "decision-expression",
                        name=next(
                            (
                                a.get("label") or a.get("name")
                                for a in el.iterancestors()
                                if a.get("label") or a.get("name")
                            ),
                            None,
                        ),
                    )
                )
    return found
