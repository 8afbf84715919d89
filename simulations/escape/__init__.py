"""Fire escape drill (逃生自救)."""
