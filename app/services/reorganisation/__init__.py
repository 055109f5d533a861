"""Reorganisation of administrative units (sắp xếp đơn vị hành chính): the unit catalogue
(`admin_units`), a plan checked against the database (`shape`), dry-run dossier by dossier
(`moves`), applied once in a cut-over (`cutover`, `transfer`) with its reports.

May use: every other package (it is the top)."""
