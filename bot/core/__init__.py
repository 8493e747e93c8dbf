"""The ground every other room stands on: events in (`events`), neutral replies out (`replies`),
the settings read from the environment (`settings`), and how a capability plugs into the engine
(`feature`). Nothing here imports another package of the bot.
"""
