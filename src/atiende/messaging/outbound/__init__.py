"""Mail we send: replies and customer notifications, composed, queued and delivered with retries."""
