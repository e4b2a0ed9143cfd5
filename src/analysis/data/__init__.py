"""Data in: the raw-data contract, reading exports, cleaning with quarantine, reading the processed data."""
