"""Webhooks of the messaging channels (``/hooks/<webhook_key>/``): WhatsApp, Messenger,
Instagram, Telegram, Twilio, monitors and PBXs post here."""
