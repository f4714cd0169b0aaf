"""How mail reaches us: IMAP polling and the built-in SMTP receiver."""
