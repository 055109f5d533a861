"""Configuration: one class per environment; every setting can be set from the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


class Config:
    # The four secrets below have no built-in value: `make run` and development take them from
    # SECRETS_FILE (random, created once per installation); production from the environment,
    # and refuses to start without them (app.installation).
    SECRET_KEY = _env("SECRET_KEY", "")
    SECRETS_FILE = _env("SECRETS_FILE", str(ROOT / "var" / "secrets" / "installation.json"))
    DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'gqtthc.db'}")
    REDIS_URL = _env("REDIS_URL", "redis://127.0.0.1:6379/0")
    RQ_QUEUE = _env("RQ_QUEUE", "gqtthc")
    # Seconds a hand-off to Redis (enqueue, a scheduler lease) may wait for a connection or an
    # answer: a Redis that is unreachable (not just down) must not hold an officer's request;
    # what was not handed off is the sweeper's.
    REDIS_TIMEOUT = float(_env("REDIS_TIMEOUT", "5"))
    # The province running the system, as its pages name it (a proper name, never translated).
    PROVINCE_NAME = _env("PROVINCE_NAME", "Hưng Yên")
    PORTAL_URL = _env("PORTAL_URL", "http://127.0.0.1:5101")
    # The portal authenticates its calls to us (citizen actions) with this shared token.
    PORTAL_CALLBACK_TOKEN = _env("PORTAL_CALLBACK_TOKEN", "")
    # This system as an OpenID Connect client of the portal (citizens' single sign-on).
    PORTAL_OIDC_CLIENT_ID = _env("PORTAL_OIDC_CLIENT_ID", "gqtthc")
    PORTAL_OIDC_CLIENT_SECRET = _env("PORTAL_OIDC_CLIENT_SECRET", "")
    # The portal's payment platform (the portal simulator serves it too) and the secret its
    # signed callbacks carry.
    PAYMENT_URL = _env("PAYMENT_URL", "")
    PAYMENT_SECRET = _env("PAYMENT_SECRET", "")
    # Since 1 July 2025 online services start on the national portal: this system's former
    # public portal pages show the notice of 003 §IV.3.b and move there (per deployment).
    PUBLIC_PORTAL_CLOSED = _env("PUBLIC_PORTAL_CLOSED", "1") not in ("0", "false", "no")
    NATIONAL_PORTAL_URL = _env("NATIONAL_PORTAL_URL", "https://dichvucong.gov.vn")
    WAREHOUSE_URL = _env("WAREHOUSE_URL", "http://127.0.0.1:5102")
    NATIONAL_DB_URL = _env("NATIONAL_DB_URL", "http://127.0.0.1:5103")
    # Sector databases (app/domain/sector_databases.py) results are registered in, by code:
    # empty means not connected here (a procedure cannot name it). ĐKKD: business registration.
    SECTOR_DB_DKKD_URL = _env("SECTOR_DB_DKKD_URL", "http://127.0.0.1:5105")
    SECTOR_DB_HTDT_URL = _env("SECTOR_DB_HTDT_URL", "")
    # The managing agencies' e-authentication service (xác thực điện tử, 001 §II.2.c Bước 1):
    # out-of-scope documents are sent there as signed files; empty means not connected here.
    E_AUTHENTICATION_URL = _env("E_AUTHENTICATION_URL", "http://127.0.0.1:5106")
    # Seconds between two asks for the answer of a document sent for e-authentication.
    E_AUTHENTICATION_POLL_SECONDS = float(_env("E_AUTHENTICATION_POLL_SECONDS", "300"))
    HTTP_TIMEOUT = float(_env("HTTP_TIMEOUT", "5"))
    # Filling a form from the national registers happens while a page is drawn (001 §II.2.b
    # Bước 4): a register slower than this many seconds counts as down and is typed by hand.
    NATIONAL_FILL_TIMEOUT = float(_env("NATIONAL_FILL_TIMEOUT", "2"))
    # The national catalogue read from the portal (003 §III.2.b): refused when larger than this
    # many bytes or entries in one list, so a runaway answer cannot exhaust memory.
    PORTAL_CATALOG_MAX_BYTES = int(_env("PORTAL_CATALOG_MAX_BYTES", str(20 * 1024 * 1024)))
    PORTAL_CATALOG_MAX_ENTRIES = int(_env("PORTAL_CATALOG_MAX_ENTRIES", "20000"))
    # E-mail for notifications: "host:port" of an SMTP server; empty means in-app only.
    MAIL_SERVER = _env("MAIL_SERVER", "")
    MAIL_FROM = _env("MAIL_FROM", "mot-cua@gqtthc.local")
    # Citizens' notices by SMS go through this gateway when it is set.
    SMS_GATEWAY_URL = _env("SMS_GATEWAY_URL", "")
    # Outbox retries: delay = BASE * 2**attempt, capped; after MAX_ATTEMPTS an incident is raised.
    OUTBOX_MAX_ATTEMPTS = int(_env("OUTBOX_MAX_ATTEMPTS", "5"))
    OUTBOX_BACKOFF_BASE = float(_env("OUTBOX_BACKOFF_BASE", "2"))
    OUTBOX_BACKOFF_MAX = float(_env("OUTBOX_BACKOFF_MAX", "300"))
    # A row claimed by a worker that died is taken back after this many seconds.
    OUTBOX_CLAIM_TIMEOUT = float(_env("OUTBOX_CLAIM_TIMEOUT", "60"))
    # The sweeper re-enqueues pending rows older than this (crash between commit and enqueue).
    OUTBOX_SWEEP_AFTER = float(_env("OUTBOX_SWEEP_AFTER", "5"))
    # A job that delivered a dossier's call goes on with that dossier's next ready calls, in
    # order, up to this many rows or seconds; what is left goes back through the queue.
    OUTBOX_BATCH_ROWS = int(_env("OUTBOX_BATCH_ROWS", "20"))
    OUTBOX_BATCH_SECONDS = float(_env("OUTBOX_BATCH_SECONDS", "2"))
    SCHEDULER_INTERVAL = float(_env("SCHEDULER_INTERVAL", "1"))
    # Logs (app/logs.py): "json" (one JSON object per line, for collectors; `make run` and
    # production) or "text" (readable, for development); the root level.
    LOG_FORMAT = _env("LOG_FORMAT", "json")
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # `python -m worker work`: this many warm worker processes (more than REORG_WORKERS, so a
    # reorganisation never holds every one), each replaced after WORKER_MAX_JOBS jobs (0: never);
    # one takes the portal's syncs first, the others the calls a process waits for (worker.pool)
    WORKER_PROCESSES = int(_env("WORKER_PROCESSES", "4"))
    WORKER_MAX_JOBS = int(_env("WORKER_MAX_JOBS", "1000"))
    # A folder: each worker process profiles itself (cProfile) and writes
    # worker-<pid>.prof there when it stops (bench/throughput.py --profile); empty: off.
    WORKER_PROFILE_DIR = _env("WORKER_PROFILE_DIR", "")
    # After an officer's step, how long (seconds) the page waits for the service call the next
    # step waits on before it says the dossier is on its way (0: never waits).
    AFTER_STEP_WAIT = float(_env("AFTER_STEP_WAIT", "2"))
    # Office hours for working-time arithmetic (8 h = one working day).
    OFFICE_HOURS = _env("OFFICE_HOURS", "07:00-11:30,13:30-17:00")
    # A step is "due soon" when this fraction of its working time remains.
    DUE_SOON_FRACTION = float(_env("DUE_SOON_FRACTION", "0.2"))
    # The deadline sweep runs at most once per this many seconds, whatever the schedulers.
    DEADLINE_SWEEP_INTERVAL = float(_env("DEADLINE_SWEEP_INTERVAL", "55"))
    BPMN_DIR = _env("BPMN_DIR", str(ROOT / "bpmn"))
    # Hard limits on one run of a BPMN script or condition (app/engine/limits.py): CPU time,
    # steps (loop turns, calls, items processed), the size of one integer, text or collection,
    # and the bytes its operations build in all. Over a limit it stops with a located error.
    SCRIPT_CPU_SECONDS = float(_env("SCRIPT_CPU_SECONDS", "1.0"))
    SCRIPT_MAX_STEPS = int(_env("SCRIPT_MAX_STEPS", "1000000"))
    SCRIPT_MAX_INT_BITS = int(_env("SCRIPT_MAX_INT_BITS", "4096"))
    SCRIPT_MAX_STRING = int(_env("SCRIPT_MAX_STRING", "1000000"))
    SCRIPT_MAX_ITEMS = int(_env("SCRIPT_MAX_ITEMS", "100000"))
    SCRIPT_MAX_MEMORY_MB = float(_env("SCRIPT_MAX_MEMORY_MB", "64"))
    # One engine operation (a completion, a service result, timers) runs at most this many
    # BPMN elements and this much CPU: a model that loops through gateways for ever stops.
    ENGINE_MAX_STEPS = int(_env("ENGINE_MAX_STEPS", "500"))
    ENGINE_CPU_SECONDS = float(_env("ENGINE_CPU_SECONDS", "3"))
    # Model tests from the editor run in a child process with these bounds (CPU seconds,
    # memory in MB beyond what the process already maps, wall-clock seconds); keep the timeout
    # below the web server's worker timeout.
    MODEL_TESTS_CPU_SECONDS = int(_env("MODEL_TESTS_CPU_SECONDS", "20"))
    MODEL_TESTS_MEMORY_MB = int(_env("MODEL_TESTS_MEMORY_MB", "1024"))
    MODEL_TESTS_TIMEOUT = float(_env("MODEL_TESTS_TIMEOUT", "25"))
    # A reorganisation run pauses this long between dossiers (0: as fast as it can), to keep
    # the database responsive for officers working during a cut-over in office hours.
    REORG_THROTTLE_MS = float(_env("REORG_THROTTLE_MS", "0"))
    # How many worker jobs the scheduler starts on a plan at once (each on its part).
    REORG_WORKERS = int(_env("REORG_WORKERS", "2"))
    # Moving instances to a newer model version: this many per transaction (all or nothing per
    # batch; a batch that meets a concurrent change is redone one instance at a time).
    MIGRATION_BATCH = int(_env("MIGRATION_BATCH", "50"))
    # ... in this many processes at once on PostgreSQL (0: one per core; SQLite: always one).
    MIGRATION_PROCESSES = int(_env("MIGRATION_PROCESSES", "0"))
    # Documents: immutable content-addressed files, the demo CA, scan limits and OCR.
    FILE_STORE = _env("FILE_STORE", str(ROOT / "var" / "files"))
    PKI_DIR = _env("PKI_DIR", str(ROOT / "var" / "pki"))
    SCAN_MAX_BYTES = int(_env("SCAN_MAX_BYTES", str(20 * 1024 * 1024)))
    # An uploaded result document (the decision made and signed elsewhere, 001 §II.2.b Bước 5).
    RESULT_UPLOAD_MAX_BYTES = int(_env("RESULT_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
    SCAN_MAX_PAGES = int(_env("SCAN_MAX_PAGES", "500"))
    # The largest file fetched from Kho DL or a national database for a reused component.
    REUSE_MAX_BYTES = int(_env("REUSE_MAX_BYTES", str(20 * 1024 * 1024)))
    OCR_LANG = _env("OCR_LANG", "vie")
    # OCR in the request covers the first pages only (enough to pre-fill the metadata form).
    OCR_MAX_PAGES = int(_env("OCR_MAX_PAGES", "3"))
    # Pages read in parallel by this many OCR processes (0: one per core).
    OCR_PROCESSES = int(_env("OCR_PROCESSES", "0"))
    # Where the citizen collects the result (printed on the receipt, slip 01).
    RESULT_PLACE = _env("RESULT_PLACE", "Bộ phận Tiếp nhận và Trả kết quả")
    BABEL_DEFAULT_LOCALE = _env("BABEL_DEFAULT_LOCALE", "vi")
    LANGUAGES = ("vi", "en")
    WTF_CSRF_ENABLED = True
    # A sign-in (officer or citizen) lives on the server this long, whatever the cookie says.
    SESSION_LIFETIME_HOURS = float(_env("SESSION_LIFETIME_HOURS", "12"))
    # Wrong passwords: after each failure the next try of that account (or from that address)
    # waits LOGIN_DELAY_BASE * 2**(failures - 1) seconds, at most LOGIN_DELAY_MAX; this many
    # failures within LOGIN_FAILURE_WINDOW seconds lock it for LOGIN_LOCK_SECONDS.
    LOGIN_ACCOUNT_FAILURES = int(_env("LOGIN_ACCOUNT_FAILURES", "5"))
    LOGIN_ADDRESS_FAILURES = int(_env("LOGIN_ADDRESS_FAILURES", "20"))
    LOGIN_FAILURE_WINDOW = int(_env("LOGIN_FAILURE_WINDOW", "900"))
    LOGIN_LOCK_SECONDS = int(_env("LOGIN_LOCK_SECONDS", "900"))
    LOGIN_DELAY_BASE = float(_env("LOGIN_DELAY_BASE", "1"))
    LOGIN_DELAY_MAX = float(_env("LOGIN_DELAY_MAX", "30"))
    # Reverse proxies in front of the web processes (each adds X-Forwarded-For): 0 when the
    # clients connect directly. Login throttling per address needs the client's real address.
    PROXY_HOPS = int(_env("PROXY_HOPS", "0"))
    # Officers' passwords: at least this long, never the username.
    PASSWORD_MIN_LENGTH = int(_env("PASSWORD_MIN_LENGTH", "12"))
    # The session cookie (officers' and citizens') is never readable by scripts and not sent
    # with cross-site posts; Secure (HTTPS only) in production.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "0") in ("1", "true", "yes")
    # Flask-Login's remember-me cookie (unused today) gets the same flags should it be used.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Strict-Transport-Security max-age in seconds; 0 sends no HSTS header (plain-HTTP setups).
    HSTS_MAX_AGE = int(_env("HSTS_MAX_AGE", "0"))
    MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024)))
    # `flask seed-demo` creates officers whose password is published: never in production.
    DEMO_DATA = _env("DEMO_DATA", "1") not in ("0", "false", "no")
    # JSON bodies: larger ones get 413, deeper-nested ones 400, before any view reads them.
    JSON_MAX_BYTES = int(_env("JSON_MAX_BYTES", str(4 * 1024 * 1024)))
    JSON_MAX_DEPTH = int(_env("JSON_MAX_DEPTH", "64"))
    # /metrics answers a scraper sending `Authorization: Bearer <METRICS_TOKEN>`; with no token,
    # only direct connections from this machine (docs/operations.md, "Metrics").
    METRICS_TOKEN = _env("METRICS_TOKEN", "")
    # `python -m worker work` serves its processes' metrics on this port (0: not served; the
    # web's /metrics shows them when both share PROMETHEUS_MULTIPROC_DIR on one machine), on
    # this address only: it has no token, keep it internal.
    WORKER_METRICS_PORT = int(_env("WORKER_METRICS_PORT", "0"))
    WORKER_METRICS_ADDRESS = _env("WORKER_METRICS_ADDRESS", "127.0.0.1")
    TESTING = False


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    # Fixed values that the in-process simulators share with the app under test; refused in
    # production like every other known value (app.installation.KNOWN_DEFAULTS).
    SECRET_KEY = _env("SECRET_KEY", "test-secret-key-not-for-production")
    PORTAL_CALLBACK_TOKEN = _env("PORTAL_CALLBACK_TOKEN", "test-portal-token")
    PORTAL_OIDC_CLIENT_SECRET = _env("PORTAL_OIDC_CLIENT_SECRET", "test-oidc-secret")
    PAYMENT_SECRET = _env("PAYMENT_SECRET", "test-payment-secret")
    OUTBOX_BACKOFF_BASE = float(_env("OUTBOX_BACKOFF_BASE", "0.01"))
    OUTBOX_SWEEP_AFTER = float(_env("OUTBOX_SWEEP_AFTER", "0"))
    # no worker runs behind the test client unless a test starts one
    AFTER_STEP_WAIT = float(_env("AFTER_STEP_WAIT", "0"))


class ProductionConfig(Config):
    DEMO_DATA = False
    # Production takes its secrets from the environment only and never invents them: hosts
    # sharing a database must share them (scripts/run.sh exports the file's).
    SECRETS_FILE = ""
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "1") in ("1", "true", "yes")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_MAX_AGE = int(_env("HSTS_MAX_AGE", str(365 * 24 * 3600)))


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def load(name: str | None = None) -> type[Config]:
    return CONFIGS[name or _env("APP_ENV", "development")]
