"""The lowest layer: where things live, the errors an analyst can act on, reference data, file I/O, text."""
