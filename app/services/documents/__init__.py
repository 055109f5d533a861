"""Documents of a dossier: digitizing scans into stored e-documents with their metadata,
issuing the signed e-result, reusing documents already in the warehouse (`reuse`), the slips
of a dossier (`slips`). Files and signatures themselves are `app.documents`.

May use: core, accounts."""
