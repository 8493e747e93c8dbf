"""A person's own page in a workspace (Slack's App Home) and their welcome: the plans of the
channels they use the bot in, how to start, the data provider connected, and help."""
