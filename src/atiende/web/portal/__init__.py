"""The customer portal (``/portal/``): a customer's requests, their conversation, their profile."""
