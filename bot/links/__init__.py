"""Checking the links people logged: is each page up, does it still link to the site, and how."""
