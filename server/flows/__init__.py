"""The shipped flows, one package each (see README, "Adding a flow")."""
