"""Citizens and the national portal: signing in from the portal, submitting online, a
citizen's supplements, payments and withdrawals (`actions`, `online`), and the notices a
citizen receives (`notices`).

May use: core, accounts, documents, catalogs, dossiers."""
