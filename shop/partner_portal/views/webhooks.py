"""placeholder: filled in by the webhooks work"""

from __future__ import annotations
