"""Ledgers (台账): Excel/CSV import with preview and all-or-nothing commit, the check-up, and the standard exports."""
