"""DataForSEO Backlinks API client: a domain's referring domains and rank, and its monthly new and lost
referring domains, in the neutral figures of bot.lookups.provider.

The key, as a user pastes it: the account's API login and API password joined by one colon,
``login:password`` (for example ``you@example.com:1a2b3c4d5e6f7a8b``). Both are on
https://app.dataforseo.com/api-access; "the API password is generated automatically by DataForSEO
and is different from your account password", and every call carries the pair as HTTP Basic auth
(https://docs.dataforseo.com/v3/auth/). The dashboard also shows the pair Base64-encoded; pasted
that way it is accepted too. A key without a colon, with an empty half or with white space or
control characters is refused with ValueError before any call.

Endpoints used (all under https://api.dataforseo.com/v3/), each page cited where it is called:
- GET  appendix/user_data (free): ``check()``          https://docs.dataforseo.com/v3/appendix/user_data/
- POST backlinks/summary/live: one domain              https://docs.dataforseo.com/v3/backlinks/summary/live/
- POST backlinks/bulk_referring_domains/live and
  POST backlinks/bulk_ranks/live: several domains       https://docs.dataforseo.com/v3/backlinks/bulk_referring_domains/live/
                                                        https://docs.dataforseo.com/v3/backlinks/bulk_ranks/live/
- POST backlinks/history/live: months of one domain    https://docs.dataforseo.com/v3/backlinks/history/live/
- POST backlinks/referring_domains/live: which          https://docs.dataforseo.com/v3/backlinks/referring_domains/live/
  referring domains one domain won and lost in a month

The modules, one noun each:
- client.py: DataForSEO, the Provider interface (check, sites, history, month_domains) and which
  endpoints it calls for each;
- connection.py: the key and its Basic auth, one call to the API retried, its envelope's status
  codes and the rate limits;
- bodies.py: what each call sends (the targets and the documented options);
- answers.py: what is read from each answer, and how it becomes the neutral figures.
"""

from __future__ import annotations

from providers.dataforseo.client import DataForSEO
from providers.dataforseo.connection import parse_key

__all__ = ["DataForSEO", "parse_key"]
