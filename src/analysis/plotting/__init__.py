"""Figures: one theme, and plots shared by several notebooks."""
