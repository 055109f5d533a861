"""Use cases: one function per use case, each in one database transaction.

Grouped by capability, lowest first: `core` (load, run and save an instance; the projection;
the outbox), `accounts`, `documents`, `catalogs`, `dossiers`, `citizens`, `deadlines`,
`process_models`, `reorganisation`. A module imports only its own package and lower ones
(`tests/test_import_graph.py`); each package's docstring says what it owns. See
docs/architecture.md.

Importing the package wires the core's extension points (`wiring`), whatever the entry point.
"""

from app.services import wiring  # noqa: F401 # the import is the wiring
