"""The ground every other room stands on: events in (`events`), neutral replies out (`replies`),
the plan's shape they carry (`plan`), the settings read from the environment (`settings`), and
how a capability plugs into the engine (`feature`). Nothing here imports another package of the
bot (a test holds it to that).
"""
