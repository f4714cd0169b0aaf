from tests.messaging.servers import smtp_sink

__all__ = ["smtp_sink"]
