"""Contract tests: our AWS adapters against botocore's real service models (Stubber), no network."""
