"""Business calendars, holidays, SLA policies and their timers, warnings, breaches and
escalation levels (issue 14). Above ``tickets``: it reads events and writes due times through
``tickets.services``."""
