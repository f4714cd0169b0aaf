"""Channels in and out. In progress (issue 5): the email parser and quote stripping are here and
tested against the shared conformance corpus; the app (mailboxes, ``InboundMessage``, the
pipeline) is not yet in ``INSTALLED_APPS``, so ``models.py`` is not imported anywhere yet."""
