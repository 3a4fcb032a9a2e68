"""OpenID Connect login (any provider by discovery URL; Cognito's hosted UI in aws mode)."""
