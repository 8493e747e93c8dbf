"""What a serving process shows of itself over HTTP: /healthz and /metrics (pages.py)."""
