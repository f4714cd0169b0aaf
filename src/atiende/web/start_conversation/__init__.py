"""Starting a conversation with a customer on a messaging channel (issue 16)."""
