"""requirements.lock is what `make run` and `make test` install (with `--require-hashes`): it
must pin, with hashes, every package pyproject.toml asks for, at a version pyproject allows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)\s*\\?$")


def _pins() -> dict[str, tuple[Version, int]]:
    """name → (pinned version, number of hashes) from the lock file."""
    pins: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _asked() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    texts = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
        *project["build-system"]["requires"],
    ]
    return [Requirement(text) for text in texts]


def test_every_dependency_of_pyproject_is_pinned_in_the_lock_at_an_allowed_version():
    pins = _pins()
    for requirement in _asked():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside pyproject's {requirement}: "
            "run `make lock`"
        )


def test_every_pin_in_the_lock_carries_a_hash():
    pins = _pins()
    assert len(pins) > 20
    assert [name for name, (_, hashes) in pins.items() if hashes == 0] == []


def test_the_makefile_installs_from_the_lock_with_hashes_required():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes" in makefile and "-r requirements.lock" in makefile
    # the project itself goes in without resolving anything beside the lock
    assert re.search(r"pip install .*--no-deps.* -e \.", makefile)


def test_what_an_extra_of_pyproject_brings_is_pinned_too():
    """`reportlab[accel]` is only fast with rl_accel in the lock: every package an extra asked
    for requires must be pinned as well (pip installs with `--no-deps`)."""
    from importlib.metadata import requires

    pins = _pins()
    missing = []
    for requirement in _asked():
        for extra in requirement.extras:
            for text in requires(requirement.name) or []:
                needed = Requirement(text)
                asked = needed.marker and needed.marker.evaluate({"extra": extra})
                if asked and canonicalize_name(needed.name) not in pins:
                    missing.append(f"{requirement.name}[{extra}] needs {needed.name}")
    assert missing == []
