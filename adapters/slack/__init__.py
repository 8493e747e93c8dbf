"""Slack: the Bolt app (HTTP and Socket Mode), Block Kit rendering, OAuth installations, the notifier."""
