"""The knowledge base: articles in several languages, their workflow and versions, search,
feedback and the self-service figures (issue 15)."""
