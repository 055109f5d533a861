"""Deadlines and supervision: the overdue sweep (`overdue`), escalation of late steps, the
supplement clock, apology letters for late dossiers, and the supervisor's views, reassignment
and statistics.

May use: core, accounts, documents, catalogs, dossiers, citizens."""
