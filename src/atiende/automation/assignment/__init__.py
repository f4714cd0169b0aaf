"""Assignment strategies per group (issue 14, part 6): who gets a ticket, fairly and within
capacity, among the agents available now.

- ``availability``: who is available (status, activity, out of office, working hours).
- ``strategies``: the choice itself, pure functions over candidates and their loads.
- ``config``: a group's settings (``GroupAssignment``), the only writer of that table.
- ``engine``: a decision in one transaction, serialised per group; backlog draining; hand-over.
- ``subscribers`` / ``tasks``: when it runs (new tickets, agents coming back, the scheduler).
"""
