"""Synthetic raw exports of the 2011 CMO and CIO studies (the real answers were never published)."""
