"""Links that are checked: each logged link's page fetched again, to see that it still links."""
