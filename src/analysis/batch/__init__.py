"""Batch runs: reports.yml -> validated parameter sets -> papermill (parallel, cached) -> HTML reports.

``schema`` checks every parameter before any kernel starts; ``pool`` starts kernels ahead of need
(``forkserver``: forked from one process with the heavy modules loaded); ``execution`` runs one
notebook with papermill; ``runner`` schedules, caches and publishes, reporting ``outcomes``;
``render`` turns executed notebooks into self-contained HTML, ``provenance`` stamps them (and holds
the cache keys and the staleness rule), ``index`` lists them; ``command`` is what the CLI calls.
Nothing here knows any statistics.
"""
