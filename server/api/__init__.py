"""HTTP API v1: JSON over the services, as DESIGN.md's contract lists it. A blueprint per concern, nested
under the `api` blueprint (server.api.blueprint: the /api prefix and, in server.api.errors, one error contract);
server.api.routes puts them together for create_app."""
