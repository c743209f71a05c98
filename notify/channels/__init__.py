"""Delivery channels: one interface (base.py), one thin module per channel."""
