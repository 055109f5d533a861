"""The national databases client against its simulator over real HTTP: a person from the
population database, a business from the enterprise registry and the tax database (001
§II.2.b Bước 4), what they refuse, and how they fail."""

from __future__ import annotations

import pytest
import requests

from app.integrations.errors import IntegrationError
from app.integrations.national import NationalDbClient


@pytest.fixture
def national(national_url) -> NationalDbClient:
    requests.post(f"{national_url}/_sim/reset", timeout=5).raise_for_status()
    return NationalDbClient(national_url, timeout=1.0)


def test_a_citizen_is_answered_by_cccd_with_the_master_data_of_001_IV_1_a(national):
    person = national.person("001090012345")
    assert person["full_name"] == "Nguyễn Văn An" and person["birth_date"] == "1990-05-12"
    assert person["permanent_address"].startswith("Số 12 Hàng Bài")
    assert person["father_identifier"] == "001060004567"


def test_a_passport_holder_is_answered_by_the_passport_number(national):
    assert national.person("C1234567")["full_name"] == "Phạm Minh Đức"


def test_someone_the_population_database_does_not_hold_is_none(national):
    assert national.person("036200009999") is None


def test_a_business_is_the_enterprise_record_with_the_tax_record_beside_it(national):
    business = national.business("0101243150")
    assert business["name"] == "Công ty Cổ phần Minh Phát"
    assert business["head_office"].startswith("Số 25 Láng Hạ")
    assert business["tax"]["tax_office"] == "Thuế Thành phố Hà Nội"
    assert national.business("0100109106") is None


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/population/people/", "12345"),
        ("/api/population/people/", "001090012345 OR 1=1"),
        ("/api/enterprises/", "01012431"),
        ("/api/tax/taxpayers/", "../people/001090012345"),
    ],
)
def test_the_registers_refuse_a_malformed_identifier_as_the_real_ones_do(national_url, path, key):
    answer = requests.get(f"{national_url}{path}{key}", timeout=5)
    assert answer.status_code in (400, 404) and "record" not in answer.text


def test_a_malformed_identifier_is_refused_not_retried(national):
    with pytest.raises(IntegrationError) as refused:
        national.person("12345")
    assert refused.value.status == 400 and not refused.value.retryable


def test_a_register_named_down_answers_503_while_the_others_answer(national, national_url):
    down = {"sources": ["tax"]}
    requests.post(f"{national_url}/_sim/registers/down", json=down, timeout=5).raise_for_status()
    assert national.register("enterprise", "0101243150")["name"] == "Công ty Cổ phần Minh Phát"
    with pytest.raises(IntegrationError) as failed:
        national.register("tax", "0101243150")
    assert failed.value.status == 503 and failed.value.retryable


def test_the_shared_fault_knob_fails_the_next_calls(national, national_url):
    requests.post(f"{national_url}/_sim/faults", json={"fail_next": 1}, timeout=5)
    with pytest.raises(IntegrationError):
        national.person("001090012345")
    assert national.person("001090012345")["full_name"] == "Nguyễn Văn An"


def test_asking_for_an_unknown_register_to_go_down_is_refused(national_url):
    answer = requests.post(
        f"{national_url}/_sim/registers/down", json={"sources": ["police"]}, timeout=5
    )
    assert answer.status_code == 400
