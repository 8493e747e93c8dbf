"""What the bot keeps about a channel, and deleting it when asked (`forget`)."""
