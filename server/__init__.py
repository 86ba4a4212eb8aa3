"""Jixiao (绩效): county budget performance management on SpiffWorkflow."""

from server.app import create_app

__all__ = ["create_app"]
