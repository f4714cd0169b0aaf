"""Sign-in on django-allauth: the adapter, its mail through the outbox, the two-factor gate."""
