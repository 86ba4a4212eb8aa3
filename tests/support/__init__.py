"""Shared test helpers: throwaway databases (SQLite files, PostgreSQL databases) and an API client."""
