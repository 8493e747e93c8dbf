"""The lookups service as the application composes it: the providers' clients (providers/), the
deployment's own provider and key from the settings with its monthly cap, each workspace's monthly
budget, keys sealed at rest, and the providers' names as people know them (the connect form's)."""

from __future__ import annotations

from bot.core.settings import Settings
from bot.lookups.service import Lookups
from bot.planning import knowledge
from bot.storage.secrets import Sealer
from bot.storage.store import Store


def lookups_for(store: Store, settings: Settings) -> Lookups:
    import providers

    def client(name: str, key: str):
        return providers.client(name, key, base_url=settings.provider_url)

    default = None
    if settings.provider and settings.provider_key:
        default = (settings.provider, settings.provider_key.get_secret_value())
    token_key = settings.token_key.get_secret_value() if settings.token_key else None
    return Lookups(
        store=store,
        clients=client,
        providers=tuple(providers.CLIENTS),
        budget=settings.lookup_budget,
        default=default,
        cap=settings.provider_key_monthly_cap,
        sealer=Sealer(token_key),
        labels=knowledge.default().provider_labels,
    )
