"""Messages: templates, sending, delivery; listeners tell people what earlier domains announce."""

from app.modules.messaging import listeners  # noqa: F401  (connects to the accounts signals)
