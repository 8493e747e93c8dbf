"""Which language a channel is spoken to in: set with `language`, else the platform's locale."""
