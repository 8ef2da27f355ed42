"""rls-companion: a Discord bot for Restless Legs Syndrome communities."""

__version__ = "0.1.0"
