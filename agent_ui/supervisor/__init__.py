"""The supervisors' pages: recordings (list, playback beside the chat, download, delete, the audit log)."""
