"""Tests of the bundled Later Reporting API emulator (sheets_sync/emulator)."""
