"""API for producers: see the module's endpoints."""

from __future__ import annotations

from flask_smorest import Blueprint

bp = Blueprint("api_producers", __name__, description="producers")
