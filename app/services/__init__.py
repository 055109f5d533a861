"""Use cases: one function per use case, each in one database transaction.

Importing the package wires the core's extension points (`services_wiring`), whatever the
entry point.
"""

from app.services import services_wiring  # noqa: F401 # the import is the wiring
