"""Inbound email: parsing raw MIME with the standard library and stripping quoted replies."""
