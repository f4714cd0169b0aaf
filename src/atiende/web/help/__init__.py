"""The public help center: the knowledge base for customers and visitors (``/help/``)."""
