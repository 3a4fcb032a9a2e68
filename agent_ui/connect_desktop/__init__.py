"""The Connect desktop wing: the agent desktop in aws mode, around the embedded Amazon Connect CCP."""
