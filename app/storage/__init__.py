"""Storage: the database handle and the transaction helper."""
