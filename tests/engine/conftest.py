from __future__ import annotations

import pytest

from app.engine import Definition, parse_bundle
from app.services.process_models.deploy import read_bundle
from config import ROOT


@pytest.fixture(scope="session")
def counter_definition() -> Definition:
    return parse_bundle(read_bundle(ROOT / "bpmn"), "counter_dossier")


START = {
    "procedure_code": "2.000488",
    "channel": "counter",
    "fee_due": False,
    "needs_digitization": False,
    "agency_code": "000.00.12.H31",
    "reception_agency_code": "000.00.12.H31",
    "phone": "",
    "email": "",
    "proxy": None,
    "e_only": False,
    "owner_id_type": "cccd",
    "owner_id": "001090012345",
    "owner_name": "Nguyễn Văn An",
    "dossier_code": "000.00.12.H31-261124-0001",
    "result_type_code": "KQ.G15.000007",
    "result_name": "Phiếu LLTP",
    "supplement_wait": "P30D",
    "appraisal_escalation": "P3D",
    "payment_wait": "P15D",
}


@pytest.fixture
def start_data() -> dict:
    return dict(START)
