"""Form widget kinds behind one registry (registry.py); one module per kind family, one template per kind."""
