"""Ticket forms: the fields a customer fills (with conditions), the public embeddable web
form and its spam defences (issue 15). Tickets are opened through ``tickets.services``."""
