"""Documents of a dossier: digitizing scans into stored e-documents with their metadata,
issuing the signed e-result from the draft the leader approved (`result_drafts`: filled from
the procedure's result template or uploaded, versioned), reusing documents already in the
warehouse (`reuse`), the slips of a dossier (`slips`); every document stored or pushed carries
the six mandatory metadata fields of 001 §II.2.c (the rule: `app.domain.document_metadata`;
results: `result_metadata`; reused documents: `reused_documents`; what old rows lack:
`completion`). Files and signatures themselves are `app.documents`.

May use: core, accounts."""
