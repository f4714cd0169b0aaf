"""Keep the search index in step with tickets, after each commit."""
