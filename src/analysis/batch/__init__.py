"""Batch runs: reports.yml -> validated parameter sets -> papermill (parallel, cached) -> HTML reports.

``schema`` checks every parameter before any kernel starts, ``runner`` executes and caches,
``render`` turns executed notebooks into self-contained HTML, ``provenance`` stamps them,
``index`` lists them.  Nothing here knows any statistics.
"""
