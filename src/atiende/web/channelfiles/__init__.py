"""The signed public links providers fetch a reply's attachments from (``/files/…``)."""
