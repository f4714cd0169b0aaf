"""The app's tables, one module per part; each is imported here so Django finds it."""
