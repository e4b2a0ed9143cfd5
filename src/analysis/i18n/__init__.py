"""Words a reader sees, in the report's language: the message catalog and the label table.

- ``_("Key points")``: a sentence or heading, translated by the gettext catalog of the current
  language (``core.language``). Message ids are the English text; Chinese lives in
  ``i18n/locales/zh/LC_MESSAGES/messages.po`` (Babel reads it; nothing is compiled by hand).
  ``N_("...")`` marks an id kept in a constant (translated where it is shown, with ``_``).
  ``python -m analysis messages --update`` adds every id the code uses to the .po (``--check``
  lists those without a Chinese translation; the tests fail on any).
- ``label("district", "Xi'anfeng")``: the name of a code (a district, unit, channel, item ...) from
  the one label table ``i18n/labels.csv``, whose Chinese names are the contract's own spellings.

Numbers are not words: they come from ``core.text``, which formats them for the same language.
"""

from analysis.i18n import catalog
from analysis.i18n import labels as labels_module
from analysis.i18n.catalog import N_, _, gettext, missing_messages, ngettext, pgettext, sentences
from analysis.i18n.labels import label, labels, missing_labels, relabel

__all__ = [
    "N_",
    "_",
    "catalog",
    "labels_module",
    "gettext",
    "label",
    "labels",
    "missing_labels",
    "missing_messages",
    "ngettext",
    "pgettext",
    "relabel",
    "sentences",
]
