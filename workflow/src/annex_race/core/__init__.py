"""The words every stage shares; it imports nothing else of annex_race."""
