"""Notify: match classified items against tenants' subscriptions and deliver alerts (webhook, Slack, email)."""
