"""The bot in front of the live chat (issue 16, part 3), optional per widget.

While a chat is handled by the bot (``ChatSession.handled_by == "bot"``, set when the chat
opens on a widget with ``bot_enabled``), each visitor message is answered here:

- `keywords`: a request for a person, a yes or a no, read in Spanish and English, accent-blind;
- `decision`: the pure rules — (state, message, articles found) → replies, next state, outcome;
- `search`: the knowledge base's public articles in the visitor's language (``kb.search``);
- `texts`: the replies and quick-reply buttons written out in the visitor's language;
- `services`: ``answer`` applies a decision (ticket messages through ``tickets.services``,
  the outcome recorded, a hand-over moving the chat to the queue);
- `selectors`: the deflection rate, and the buttons to show again on a reconnection.
"""
