"""The ingest service: feed registry, polite polling, normalised items, and the outbox to Kafka."""
