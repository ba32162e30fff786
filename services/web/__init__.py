"""The web app: inbox, search, items with their evidence, subscriptions and deliveries in the browser."""
