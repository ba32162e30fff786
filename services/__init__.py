"""RegAlerts: regulatory action alerts."""

__version__ = "0.1.0"
