"""Slack's listeners by kind (commands, actions, views, events, home), as Bolt's samples lay them out:
each a part of SlackAdapter (adapters/slack/app.py)."""
