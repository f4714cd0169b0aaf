"""Chat widget settings (admins)."""
