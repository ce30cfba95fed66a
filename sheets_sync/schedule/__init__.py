"""The scheduler: jobs planned from the config, run on APScheduler 3 with a persistent job store (see plan.py)."""
