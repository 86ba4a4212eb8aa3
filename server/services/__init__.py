"""Use cases shared by the web pages and the API; the only callers of the engine."""
