"""The email channel reads tickets as the system: mail has no signed-in user.

Reads still go through ``visible_tickets`` (the one scoping rule); who may *write* to a
ticket is decided per message (``inbound/threading.py``: the sender must be the requester, a
follower or an agent who can see it).
"""

from __future__ import annotations

from atiende.core.actor import Actor

READER = Actor.system("email")
