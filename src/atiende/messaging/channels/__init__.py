"""Channels other than email (issue 16): one contract, one adapter per provider.

``contract`` holds the neutral shapes every adapter speaks; ``providers`` the adapters' pure
halves — checking a webhook's signature, reading its payload into those shapes, building the
provider's outbound API request and reading its answer. They know no database: the intake
(store raw → normalise → thread into a ticket) and the delivery (outbox → HTTP → receipt) call
them, so a provider is added without touching ticket code.
"""
