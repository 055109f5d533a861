"""The core runtime every use case stands on: loading a process instance with its version
check, running the engine, saving the state (`runtime`), projecting what the engine did into
task rows, dossier statuses and audit events (`projection`), the outbox of calls to make after
commit (`outbox`, `queue`, `portal_sync`), and the small shared pieces: who acts (`actors`),
the errors services raise (`errors`), the audit log, the office calendar, notifications, who
may see what (`visibility`).

It imports no other services package. What the other packages add to a step (local operators
the engine may call, follow-ups after a step is projected) they declare in `hooks`, and
`app.services.wiring` registers them in one list."""
