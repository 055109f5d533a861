"""This installation's secrets: random values created once and kept in a file only its owner
reads (development, `make run`), and the check that keeps production from starting with a
missing, known or short secret.

`python -m app.installation` prints `export NAME=value` lines for the secrets the environment
does not set yet; scripts/run.sh evaluates them so that every process it starts (web, worker,
scheduler, simulators) shares the same values.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import config as config_module
from app.i18n import _
from config import Config, ProductionConfig

SECRET_SETTINGS = (
    "SECRET_KEY",
    "PORTAL_CALLBACK_TOKEN",
    "PAYMENT_SECRET",
    "PORTAL_OIDC_CLIENT_SECRET",
)
MIN_BYTES = 32
# Every value that ever shipped in this repository as a default or a test value: anyone who
# read the source knows them.
KNOWN_DEFAULTS = frozenset(
    {
        "dev-secret-change-me",
        "dev-portal-token",
        "dev-oidc-secret",
        "dev-payment-secret",
        "test-secret-key-not-for-production",
        "test-portal-token",
        "test-oidc-secret",
        "test-payment-secret",
    }
)


class InsecureConfiguration(RuntimeError):
    """Production was asked to start with secrets anyone could know; the message names each."""


def installation_secrets(path: Path) -> dict[str, str]:
    """The secrets kept at `path`, creating the file (mode 0600, in a 0700 folder) and any
    secret it lacks; a value once written is never changed. Safe when several processes
    start at once: they all get the same values."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    with _locked(path.parent / ".lock"):
        values = _read(path)
        missing = [name for name in SECRET_SETTINGS if not values.get(name)]
        if missing:
            values.update({name: secrets.token_urlsafe(48) for name in missing})
            _write_private(path, values)
    return {name: values[name] for name in SECRET_SETTINGS}


def with_secrets(config: type[Config]) -> type[Config]:
    """`config` with its empty secrets taken from its SECRETS_FILE (created on first use);
    unchanged when nothing is missing, when it names no file, and always in production, which
    takes its secrets from the environment only (hosts sharing a database must share them)."""
    missing = [name for name in SECRET_SETTINGS if not getattr(config, name, "")]
    if not missing or not config.SECRETS_FILE or issubclass(config, ProductionConfig):
        return config
    stored = installation_secrets(Path(config.SECRETS_FILE))
    return type(config.__name__, (config,), {name: stored[name] for name in missing})


def problems(config: type[Config]) -> list[str]:
    """What is wrong with each secret setting of `config` (empty when all are safe)."""
    found = []
    for name in SECRET_SETTINGS:
        value = getattr(config, name, "") or ""
        if not value:
            found.append(_("%(name)s thiếu", name=name))
        elif value in KNOWN_DEFAULTS:
            found.append(_("%(name)s là giá trị mặc định đã công khai", name=name))
        elif len(value.encode()) < MIN_BYTES:
            found.append(_("%(name)s ngắn hơn %(least)s byte", name=name, least=MIN_BYTES))
    return found


def resolve(config: type[Config]) -> type[Config]:
    """The configuration a process runs with: secrets completed from the installation's file
    outside production; in production, InsecureConfiguration unless every secret is safe."""
    config = with_secrets(config)
    if issubclass(config, ProductionConfig):
        found = problems(config)
        if found:
            raise InsecureConfiguration(
                _(
                    "Không khởi động ở môi trường production với bí mật không an toàn: "
                    "%(problems)s. Đặt các biến môi trường này (ví dụ python -c 'import "
                    "secrets; print(secrets.token_urlsafe(48))')",
                    problems="; ".join(found),
                )
            )
    return config


def shared_secrets() -> dict[str, str]:
    """The secrets of the configuration this environment selects (APP_ENV): what the
    simulators share with the app they stand in front of."""
    config = with_secrets(config_module.load())
    return {name: getattr(config, name) for name in SECRET_SETTINGS}


def _read(path: Path) -> dict[str, str]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # someone widened it: secrets are for the owner only
    values = json.loads(text)
    return {k: v for k, v in values.items() if isinstance(v, str)}


def _write_private(path: Path, values: dict[str, str]) -> None:
    """Replace `path` in one step by a file only the owner can read (never half written)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secrets-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(values, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def main() -> int:
    """Print `export NAME=value` for each secret the environment does not set yet."""
    config = config_module.load()
    if not config.SECRETS_FILE:
        config = config_module.DevelopmentConfig
    stored = installation_secrets(Path(config.SECRETS_FILE))
    for name in SECRET_SETTINGS:
        if not os.environ.get(name):
            print(f"export {name}={shlex.quote(stored[name])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
