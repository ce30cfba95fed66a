"""Entry point for `python -m sheets_sync`."""

from sheets_sync.cli import main

raise SystemExit(main())
