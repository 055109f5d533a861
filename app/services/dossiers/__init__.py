"""Dossiers and tasks: receiving a dossier at the counter (`reception`), claiming and
completing a step (`tasks`), the results of service calls and due timers coming back into the
process (`service_calls`, `timers`), transfers between agencies (`transfers`), the operators the
engine runs in-process (`local_operators`), and the read side of inboxes and dossier pages
(`queries`, `lookup`).

May use: core, accounts, documents, catalogs."""
