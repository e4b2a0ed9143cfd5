"""Reproducible analysis behind the county bureau's "Fair Law Enforcement, Build the Image" work report."""

__version__ = "0.1.0"
