"""Studio Desk: a local-first front desk for fitness, pilates and PT studios."""

__version__ = "0.1.0"
