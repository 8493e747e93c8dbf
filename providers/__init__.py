"""Backlink data providers' HTTP clients, one module each, each meeting bot.lookups.provider.Provider.

Like adapters/, this is outside bot/: the core never knows a provider's URL or payload. Adding a
provider is one module here and a row in CLIENTS. Clients are imported only when used, so start-up
does not pay for aiohttp.
"""

from __future__ import annotations

import importlib

from bot.lookups.provider import Provider

# name → (module, class). The name is what `connect` and BACKLINKS_PROVIDER take.
CLIENTS = {
    "dataforseo": ("providers.dataforseo", "DataForSEO"),
    "moz": ("providers.moz", "Moz"),
}


def client(name: str, key: str, *, base_url: str | None = None) -> Provider:
    """A provider's client for this key (`base_url`: a proxy, or the tests' stand-in)."""
    module, cls = CLIENTS[name]
    made = getattr(importlib.import_module(module), cls)
    return made(key, base_url=base_url) if base_url else made(key)
