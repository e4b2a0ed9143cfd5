"""What a reader sees around the numbers: tables for readers and the blocks of a report (key points, sentences).

- ``tables``: a frame -> a table a person reads (percentages, separators, labels in words, no index,
  bands in their natural order, missing as a dash with a note, suppressed cells explained).
- ``blocks``: the key-points box, a headline figure with its one label, plain sentences, the list of
  weak points, folded detail.

Ranked with plotting and i18n (a layer of its own just above them): it words through the catalog and
formats numbers through ``core.text``; it computes no statistic.
"""
