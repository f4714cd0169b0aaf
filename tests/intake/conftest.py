from tests.api.conftest import as_user
from tests.messaging.servers import smtp_sink

__all__ = ["as_user", "smtp_sink"]
