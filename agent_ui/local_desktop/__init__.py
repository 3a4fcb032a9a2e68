"""The local desktop wing: the agent desktop on the embedded contact centre (local mode), with its own CCP panel."""
