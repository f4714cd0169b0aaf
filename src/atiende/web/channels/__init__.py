"""Channel accounts and their quarantine in the workspace settings (issue 16)."""
