"""No default secrets: each installation makes its own, production refuses unsafe ones."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from app import create_app, settings
from app.installation import (
    KNOWN_DEFAULTS,
    SECRET_SETTINGS,
    InsecureConfiguration,
    installation_secrets,
    with_secrets,
)
from app.storage.db import db
from config import ROOT, DevelopmentConfig, ProductionConfig, TestConfig

SAFE = {name: f"{name.lower()}-" + "x" * 40 for name in SECRET_SETTINGS}
SHIPPED_DEFAULTS = ("dev-secret-change-me", "dev-portal-token", "dev-oidc-secret")
SHIPPED_DEFAULTS += ("dev-payment-secret",)


@pytest.fixture(autouse=True)
def _restore_configuration():
    """Factories called here configure the process; leave it as the next test expects."""
    before, engine = settings.current, db.engine
    yield
    if db.engine is not None and db.engine is not engine:
        db.engine.dispose()
    settings.current, db.engine = before, engine


def production(**overrides: str) -> type[ProductionConfig]:
    values = {**SAFE, **overrides}
    return type("Prod", (ProductionConfig,), {"DATABASE_URL": "sqlite://", **values})


def test_the_first_use_creates_random_secrets_readable_by_the_owner_only(tmp_path):
    path = tmp_path / "secrets" / "installation.json"
    values = installation_secrets(path)
    assert set(values) == set(SECRET_SETTINGS)
    assert len(set(values.values())) == len(SECRET_SETTINGS)  # four different values
    assert all(len(v.encode()) >= 48 and v not in KNOWN_DEFAULTS for v in values.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert installation_secrets(tmp_path / "other.json") != values  # per installation


def test_secrets_once_written_are_never_replaced(tmp_path):
    path = tmp_path / "s" / "installation.json"
    first = installation_secrets(path)
    assert installation_secrets(path) == first
    kept = {"SECRET_KEY": first["SECRET_KEY"]}  # an older file lacking a newer secret
    path.write_text(json.dumps(kept))
    again = installation_secrets(path)
    assert again["SECRET_KEY"] == first["SECRET_KEY"]
    assert all(again[name] for name in SECRET_SETTINGS)


def test_a_widened_secrets_file_is_narrowed_back_to_the_owner(tmp_path):
    path = tmp_path / "s" / "installation.json"
    installation_secrets(path)
    os.chmod(path, 0o644)
    os.chmod(path.parent, 0o755)
    installation_secrets(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_processes_starting_together_share_one_set_of_secrets(tmp_path):
    path = tmp_path / "s" / "installation.json"
    with ProcessPoolExecutor(4) as pool:
        results = list(pool.map(installation_secrets, [path] * 8))
    assert all(r == results[0] for r in results)


def test_development_reads_its_secrets_from_the_installation_file(tmp_path):
    path = tmp_path / "s" / "installation.json"
    empty = {name: "" for name in SECRET_SETTINGS}
    dev = type("Dev", (DevelopmentConfig,), {"SECRETS_FILE": str(path), **empty})
    resolved = with_secrets(dev)
    assert {n: getattr(resolved, n) for n in SECRET_SETTINGS} == installation_secrets(path)
    own = type("Dev", (dev,), {"SECRET_KEY": SAFE["SECRET_KEY"]})  # the environment wins
    assert SAFE["SECRET_KEY"] == with_secrets(own).SECRET_KEY


def test_tests_keep_their_fixed_secrets_and_touch_no_file(tmp_path):
    cfg = type("T", (TestConfig,), {"SECRETS_FILE": str(tmp_path / "s.json")})
    assert with_secrets(cfg) is cfg
    assert not (tmp_path / "s.json").exists()


def test_no_secret_has_a_built_in_value_outside_tests():
    for cfg in (DevelopmentConfig, ProductionConfig):
        for name in SECRET_SETTINGS:
            assert getattr(cfg, name) in ("", os.environ.get(name)), name


def test_production_starts_with_long_random_secrets():
    app = create_app(production())
    assert app.config["SECRET_KEY"] == SAFE["SECRET_KEY"]


def test_production_refuses_every_missing_secret_in_one_message():
    with pytest.raises(InsecureConfiguration) as refused:
        create_app(production(**{name: "" for name in SECRET_SETTINGS}))
    assert all(f"{name} thiếu" in str(refused.value) for name in SECRET_SETTINGS)


@pytest.mark.parametrize("name", SECRET_SETTINGS)
@pytest.mark.parametrize(
    "default", [*SHIPPED_DEFAULTS, TestConfig.SECRET_KEY, TestConfig.PAYMENT_SECRET]
)
def test_production_refuses_a_secret_that_ever_shipped_as_a_default(name, default):
    with pytest.raises(InsecureConfiguration) as refused:
        create_app(production(**{name: default}))
    message = str(refused.value)
    assert f"{name} là giá trị mặc định" in message
    assert [other for other in SECRET_SETTINGS if other in message] == [name]


@pytest.mark.parametrize("name", SECRET_SETTINGS)
def test_production_refuses_a_secret_shorter_than_32_bytes(name):
    with pytest.raises(InsecureConfiguration, match=f"{name} ngắn hơn 32 byte"):
        create_app(production(**{name: "k" * 31}))
    # bytes, not characters: 16 Vietnamese letters are 32 bytes in UTF-8
    assert create_app(production(**{name: "đ" * 16})).config[name] == "đ" * 16
    with pytest.raises(InsecureConfiguration, match=name):
        create_app(production(**{name: "đ" * 15}))


def test_production_never_makes_up_secrets_from_a_file(tmp_path):
    path = tmp_path / "s.json"
    cfg = type("P", (production(SECRET_KEY=""),), {"SECRETS_FILE": str(path)})
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY thiếu"):
        create_app(cfg)
    assert not path.exists()


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SECRET_SETTINGS}
    return subprocess.run(
        args, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_the_flask_cli_in_production_exits_naming_each_unsafe_secret(tmp_path):
    flask = str(ROOT / ".venv" / "bin" / "flask")
    env = {"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    refused = _run([flask, "--app", "app", "routes"], **env, PAYMENT_SECRET="dev-payment-secret")
    assert refused.returncode != 0
    assert "PAYMENT_SECRET là giá trị mặc định" in refused.stderr
    assert "SECRET_KEY thiếu" in refused.stderr
    started = _run([flask, "--app", "app", "routes"], **env, **SAFE)
    assert started.returncode == 0, started.stderr
    assert "/login" in started.stdout


def test_run_sh_exports_the_installation_secrets_the_environment_lacks(tmp_path):
    path = tmp_path / "s" / "installation.json"
    env = {"APP_ENV": "development", "SECRETS_FILE": str(path)}
    printed = _run([sys.executable, "-m", "app.installation"], **env).stdout
    stored = json.loads(path.read_text())
    assert printed.splitlines() == [f"export {n}={stored[n]}" for n in SECRET_SETTINGS]
    own = _run([sys.executable, "-m", "app.installation"], **env, SECRET_KEY=SAFE["SECRET_KEY"])
    assert "SECRET_KEY" not in own.stdout and "PAYMENT_SECRET" in own.stdout


def test_simulators_in_development_share_the_installation_secrets(tmp_path, monkeypatch):
    from app.installation import shared_secrets
    from app.integrations.simulators.portal import create_portal_simulator

    path = tmp_path / "s" / "installation.json"
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setattr(DevelopmentConfig, "SECRETS_FILE", str(path))
    for name in SECRET_SETTINGS:
        monkeypatch.setattr(DevelopmentConfig, name, "")
    assert shared_secrets() == installation_secrets(path)
    portal = create_portal_simulator(seed=False)
    assert portal.config["SYSTEM_TOKEN"] == installation_secrets(path)["PORTAL_CALLBACK_TOKEN"]
