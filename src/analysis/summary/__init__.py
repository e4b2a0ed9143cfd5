"""The leadership summary: every published figure from data, the reconciliation, findings and caveats."""
