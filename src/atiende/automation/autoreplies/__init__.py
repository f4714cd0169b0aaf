"""Automatic answers to a new ticket besides the acknowledgement (messaging sends that): an
out-of-hours answer with the next opening time when the ticket's group's calendar is closed,
and the holiday or outage announcements running when the ticket arrived.

Both ride in the acknowledgement mail (``messaging.outbound.notices``): it is sent only for a
ticket the customer opened, never for automatic mail (auto-submitted, bounces, lists, out of
office — ``messaging.email.auto``) and at most once per customer per
``messaging.subscribers.RECEIVED_WINDOW``, so these answers inherit every one of those limits.
A customer message reopening a solved ticket gets no out-of-hours answer (no acknowledgement
is sent for it either).
"""
