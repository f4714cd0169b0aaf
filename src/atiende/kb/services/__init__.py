"""The only writers of the knowledge base's tables."""
