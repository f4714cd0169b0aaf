"""The live chat widget (issue 16, part 2): visitor ↔ agent over WebSockets.

- `config`: the knobs (rates, sizes) and a widget's settings checked (origins, pre-chat form);
- `widgets`: widgets created and changed by admins;
- `services`: the visitor's writes — a chat opened, a message posted into its ticket through
  ``tickets.services`` (a resend by client id written once), contact details, uploads, typing;
- `selectors`: reads — a chat by its token, the transcript since an id, who is online;
- `limits`: the visitor's rate limit (a token bucket per chat);
- `relay`: one reader of the live event log per process for the visitors' sockets;
- `consumer` / `routing`: the visitor's socket at ``/ws/chat/<widget public id>/``;
- `subscribers`: an agent's public reply marks the chat active.

A chat is a ticket with channel ``chat``: the transcript is its conversation, and everything
else (rules, SLA, mail follow-up) applies to it as to any ticket. The bot of part 3 plugs in
where a chat's first message is routed (``ChatSession.handled_by``).
"""
