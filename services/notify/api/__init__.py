"""The notify HTTP API: subscriptions, deliveries and watchlists under /v1 (Bearer API key), unsubscribe pages."""
