"""Reads of federation other apps call (search indexes `shared_with` from these)."""

from .sharing.selectors import item_receivers

__all__ = ["item_receivers"]
