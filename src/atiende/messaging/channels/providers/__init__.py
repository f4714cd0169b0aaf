"""The channel adapters: one module a provider, pure (no database, no network).

Messaging (``contract.Adapter``: verify, read, split, send_request, send_result):

- ``whatsapp``: WhatsApp Business Cloud API (``WhatsAppCloud``).
- ``meta``: Facebook Messenger and Instagram messaging (``Messenger``, ``Instagram``).
- ``telegram``: Telegram Bot API (``TelegramBot``; its sending half in ``telegram_send``).
- ``twilio``: SMS and MMS through Twilio Programmable Messaging (``TwilioSms``).

Receive-only (``contract.Receiver``: verify, read):

- ``alerts``: monitoring alerts — Prometheus Alertmanager, Zabbix, Nagios/Icinga and our
  generic JSON (``Alertmanager``, ``Zabbix``, ``Nagios``, ``GenericAlert``).
- ``phone``: calls — Twilio Voice callbacks and our JSON for any PBX (``TwilioVoice``,
  ``GenericPbx``).

Shared by them:

- ``payload``: reading webhook bodies (JSON or form) and API answers, and ``fields``: reading
  their fields, typed — with the one set of limits every adapter keeps.
- ``outbound``: refusing (``MessageRejected``) and splitting what a provider cannot carry.
- ``graph``: Meta's Graph API — signature, handshake, sending, errors (WhatsApp, Messenger,
  Instagram).
- ``twilio_signature``: ``X-Twilio-Signature`` (Twilio SMS and Voice).
- ``receiving``: the shared-token check of monitors and PBXs.
"""
