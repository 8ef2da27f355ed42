"""The reminder engine: schedules in the database, one periodic claim, an outbox and a paced sender.

Nothing in this package imports discord; the Discord side plugs in through :class:`Transport`.
"""
