"""The agent's login, shared by both desktops: the login page (local accounts or OIDC) and the session it starts."""
