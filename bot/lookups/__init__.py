"""Looking figures up instead of asking: a backlink data provider (DataForSEO, Moz, ...) gives a
site's and its competitors' referring domains, authority and monthly new/lost referring domains.

`provider` is the small interface every provider's client meets (the clients themselves live in
providers/, outside bot/, like the platform adapters); figures carry their source and date. The
lookups are cached in the database per domain and day (history per month) and counted against a
per-workspace monthly budget, so a chat never costs a paid call per keystroke.
"""
