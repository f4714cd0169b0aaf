"""Macros: a reply text with placeholders plus actions, applied from the composer, the ticket
page and the inbox's bulk actions (they replace canned responses: a macro without actions).

How a macro is applied, by door:

- **composer / ticket page** (``services.apply_macro``): the actions are applied to the ticket
  at once, in the agent's name with ``macro:<id>`` in the history, and the filled text is
  returned for the composer to insert; the agent edits and sends it as any reply. (Zendesk
  stages the actions in the ticket form until submit; our composer has no staged form, so the
  simplest correct flow is to apply now, visibly, and let the history tell.)
- **bulk** (``services.bulk_apply_macro``): the actions only, on each ticket, one savepoint
  per ticket; no reply is posted — a reply written for one customer is not sent to many.
- **rules** (the ``apply_macro`` action): the actions, then the text as a public reply when it
  is not empty.
"""
