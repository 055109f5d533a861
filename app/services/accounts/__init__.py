"""Accounts and sign-in: officers' accounts and passwords (`officer_accounts`), the sign-in
throttle (`login_guard`), server-side sessions (`sessions`), the local account of a citizen who
comes from the portal (`citizen_accounts`).

May use: core."""
