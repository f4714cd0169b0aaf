"""Email settings (mailboxes, notification templates, quarantine) and the ticket page's email
pieces (delivery state, the original of an inbound message)."""
