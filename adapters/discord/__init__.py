"""Discord: the discord.py client, its /backlinks command group, buttons and modals, and the notifier."""
