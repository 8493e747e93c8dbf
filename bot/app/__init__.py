"""The top floor: the `backlinks` command line (`cli`) and the long-running service (`serve`) that
compose the store, the engine, the adapters and the reminder loop. Nothing imports this package.
"""
