"""Signing a stored file (ký số): the demo PKI's identities and a signed copy of a file.

The signing itself is slow (PDF parsing, hashing, a new file in the store): callers read what
they need in a transaction, sign outside it, then write in a short one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from app.documents.pki import demo_pki
from app.models import Agency, User
from app.storage.db import db
from app.storage.files import FileStore

SignWith = Callable[[Path, BinaryIO], None]


def signed_copy(store: FileStore, source_sha: str, sign_with: SignWith) -> str:
    """Run `sign_with(source_path, output)` into a new file of the store and return its
    sha256 (the source stays as it was: files are content-addressed)."""
    return store.put_written(lambda out: sign_with(store.path(source_sha), out)).sha256


def ensure_demo_certificates() -> list[str]:
    """Make the demo CA and one certificate per agency and active officer (set-up runs this;
    anything missing is also made on first use)."""
    pki = demo_pki()
    pki.ensure_ca()
    made = [f"CA: {pki.ca_cert_path}"]
    with db.transaction() as session:
        agencies = session.execute(select(Agency.code, Agency.name)).all()
        officers = session.execute(
            select(User.username, User.full_name, Agency.name)
            .join(Agency, Agency.id == User.agency_id)
            .where(User.active.is_(True))
        ).all()
    for code, name in agencies:
        pki.identity("agency", code, name, code)
        made.append(f"agency {code}: {name}")
    for username, full_name, agency_name in officers:
        pki.identity("officer", username, full_name, agency_name)
        made.append(f"officer {username}: {full_name}")
    return made
