"""Redis adapters: the event bus that reaches the other server processes (aws mode with ``VCE_REDIS_URL``)."""
