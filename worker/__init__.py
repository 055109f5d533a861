"""Background work: RQ jobs delivering the outbox, and the scheduler (timers, sweeps)."""
