"""API for partners: see the module's endpoints."""

from __future__ import annotations

from flask_smorest import Blueprint

bp = Blueprint("api_partners", __name__, description="partners")
