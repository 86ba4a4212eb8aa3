"""HTTP API v1: JSON over the services, as DESIGN.md's contract lists it. One blueprint (server.api.blueprint)
under /api, one error contract (server.api.errors); server.api.routes gathers the endpoint modules."""
