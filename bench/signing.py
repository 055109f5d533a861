"""Benchmark: the CPU that issuing one e-result's signatures costs the worker.

Signs a rendered e-result the way the worker does when it issues it
(`app.services.documents.results._sign`: the approving leader's PAdES signature, then the
agency's seal, each stored in a throwaway file store), with a throwaway demo PKI, and prints
the CPU ms of this process per dossier (both signatures) and per signature: best and median of
`--rounds` rounds of `--n` dossiers, after one warm-up dossier (the signers are loaded once per
process). It checks the last file: two signatures, both "valid" against the demo CA, else it
fails. CPU time (time.process_time), not wall time: the machine may be shared.
`--profile FILE` writes a cProfile of one more round and prints its top functions.
Usage: .venv/bin/python bench/signing.py [--n 40] [--rounds 5] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# the demo PKI (config reads PKI_DIR once, at import) and the stored files are throwaway
WORK = Path(tempfile.mkdtemp(prefix="bench-signing-"))
os.environ["PKI_DIR"] = str(WORK / "pki")

from app.documents import signing  # noqa: E402
from app.documents.pki import demo_pki  # noqa: E402
from app.documents.slip_data import SlipData  # noqa: E402
from app.documents.slips import render_result  # noqa: E402
from app.services.documents.results import _sign  # noqa: E402
from app.storage.files import FileStore  # noqa: E402

LEADER = SimpleNamespace(username="lanhdao", full_name="Nguyễn Văn Lãnh Đạo")
AGENCY = SimpleNamespace(code="000.00.12.H31", name="Sở Tư pháp tỉnh Bắc Ninh")


def _result() -> bytes:
    now = datetime.now(UTC)
    return render_result(
        "Giấy chứng nhận",
        SlipData(
            agency_name=AGENCY.name,
            parent_agency_name="UBND tỉnh Bắc Ninh",
            dossier_code="000.00.12.H31-261202-0001",
            procedure_code="2.000488",
            procedure_name="Cấp bản sao trích lục hộ tịch",
            owner_name="Trần Thị Công Dân",
            owner_id="001190000001",
            phone="0900000000",
            email="",
            received_at=now - timedelta(days=2),
            due_at=now + timedelta(days=1),
            officer_name=LEADER.full_name,
            issued_at=now,
            signer_title="LÃNH ĐẠO CƠ QUAN",
        ),
    )


def _round(store: FileStore, pdf: bytes, n: int) -> tuple[float, str]:
    started = time.process_time()
    for _ in range(n):
        signed = _sign(store, pdf, LEADER, AGENCY).signed
    return (time.process_time() - started) / n * 1000, signed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="dossiers per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", help="write a cProfile of one more round here")
    args = parser.parse_args()

    store = FileStore(WORK / "files")
    pdf = _result()
    _sign(store, pdf, LEADER, AGENCY)  # warm-up: keys, certificates, container size
    per_dossier = []
    for _ in range(args.rounds):
        ms, last = _round(store, pdf, args.n)
        per_dossier.append(ms)
    verdicts = signing.verify(store.path(last), [demo_pki().ca_cert_path])
    states = [v.state for v in verdicts]
    if states != ["valid", "valid"]:
        sys.exit(f"the signed result does not verify: {states}")
    best, median = min(per_dossier), statistics.median(per_dossier)
    print(f"result PDF {len(pdf)} bytes unsigned, {store.path(last).stat().st_size} signed")
    print(f"{args.rounds} rounds of {args.n} dossiers, load average {os.getloadavg()[0]:.2f}")
    print(f"CPU ms per dossier (2 signatures): best {best:.1f}, median {median:.1f}")
    print(f"CPU ms per signature:              best {best / 2:.1f}, median {median / 2:.1f}")
    print(f"verdicts of the last file: {states}")
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.runcall(_round, store, pdf, args.n)
        profile.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
