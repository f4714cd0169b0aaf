"""Ticket forms on the web: the portal's new-request page, the public embeddable form, the
signed status page and the forms' settings screen."""
