"""One module per subject of the work report: its computations, and its tables and figures for the notebooks."""
