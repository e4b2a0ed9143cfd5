"""Who links where: every page of a run (reports, index, methodology) in every language, and each
report's navigation (breadcrumb, variants, its other-language twin), with titles in the page's language.

The default language (the first of ``Config.languages``, Chinese) has the plain file names
(``survey--anyi.html``, ``index.html``); every other language adds its code (``survey--anyi.en.html``).
Words come from the message catalog, and names from the label table: report titles (kind
``report``, keyed by the reports.yml entry; an entry it lacks uses its reports.yml title as a
message id), districts and stations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analysis.batch.schema import Config, Report
from analysis.core import language
from analysis.i18n import N_, _, label, labels

INDEX = "index"
METHODOLOGY = "methodology"


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None  # None: the page itself (shown, not linked)
    lang: str | None = None  # the language of ``text`` when it is not the page's (the language switch)


@dataclass(frozen=True)
class Page:
    """What the frame of one page shows around the notebook's content."""

    lang: str
    title: str
    breadcrumb: tuple[Link, ...]
    twins: tuple[Link, ...]
    variants: tuple[Link, ...]
    index: Link
    methodology: Link
    scope: str | None = None  # the district or station of a variant, in words

    @property
    def html_lang(self) -> str:
        return language.HTML_LANG[self.lang]


@dataclass(frozen=True)
class Topic:
    """One entry of reports.yml on the index: its county report and its variants, in one language."""

    entry: str
    title: str
    description: str
    main: Report | None
    variants: tuple[Report, ...]


# The name of each language in itself, for the switch between twins.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
PROVINCE_WORD = N_("Province")


@dataclass(frozen=True)
class CountyTrail:
    """A county's pages inside a province (``reports/<county>/``): the breadcrumb starts province > county."""

    name: str  # the county's name in English (pinyin): "Baoying"
    name_zh: str  # and in Chinese: "宝应"

    def text(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name


class Site:
    """The pages of one run; built from every report reports.yml expands to (selected or not).

    ``county``: the county these pages belong to when the raw data is a province (their breadcrumb
    starts with the province's page, ``../index.html``, and the county's index); None for one county.
    """

    def __init__(self, config: Config, reports: Iterable[Report], county: CountyTrail | None = None):
        self.config = config
        self.county = county
        self.reports = [r for r in reports]
        self.languages: tuple[str, ...] = config.languages or (language.DEFAULT,)
        self.default = self.languages[0]
        self._by_base_lang = {(r.base, self.lang_of(r)): r for r in self.reports}
        self._entries = {e.name: e for e in config.all_entries()}

    # -- names
    def lang_of(self, report: Report) -> str:
        """The language a report is written in (a notebook without a language parameter: the default)."""
        return report.lang or (self.config.languages[0] if self.config.languages else language.DEFAULT)

    def file(self, stem: str, lang: str) -> str:
        """``index`` -> ``index.html`` (default language) or ``index.en.html``."""
        return f"{stem}.html" if lang == self.default else f"{stem}.{lang}.html"

    def index_file(self, lang: str) -> str:
        return self.file(INDEX, lang)

    def methodology_file(self, lang: str) -> str:
        return self.file(METHODOLOGY, lang)

    # -- words
    def scope_text(self, report: Report, lang: str | None = None) -> str | None:
        """The district or station a variant covers, named for readers ('安宜镇'); None for the county."""
        if not report.scope:
            return None
        with language.using(lang or self.lang_of(report)):
            names = []
            for key, value in report.scope:
                spec = self.config.schema.get(key)
                names.append(label(spec.label, value) if spec is not None and spec.label else str(value))
            return " · ".join(names)

    def whole_text(self, entry: str, lang: str) -> str:
        """What a topic's report without a scope covers ('Whole county'), from its sweep parameter."""
        e = self._entries.get(entry)
        with language.using(lang):
            for key in e.sweep if e is not None else ():
                spec = self.config.schema.get(key)
                if spec is not None and spec.whole:
                    return _(spec.whole)
            return _("Whole county")

    def entry_title(self, entry: str, lang: str) -> str:
        """A topic's title: its name in the label table (kind ``report``), else its reports.yml title translated."""
        if entry in labels("report", lang):
            return label("report", entry, lang)
        e = self._entries.get(entry)
        with language.using(lang):
            return _(e.title) if e is not None else entry

    def entry_description(self, entry: str, lang: str) -> str:
        e = self._entries.get(entry)
        with language.using(lang):
            return _(e.description) if e is not None and e.description else ""

    def title(self, report: Report, lang: str | None = None) -> str:
        """The report's title in its language: the topic's, with the district or station of a variant."""
        lang = lang or self.lang_of(report)
        title = self.entry_title(report.entry, lang)
        scope = self.scope_text(report, lang)
        if scope:
            with language.using(lang):
                title = _("{title}: {scope}").format(title=title, scope=scope)
        if report.variant_set:
            title = f"{title} ({report.variant_set})"
        return title

    # -- links
    def other(self, report: Report, lang: str) -> Report | None:
        return self._by_base_lang.get((report.base, lang))

    def main_of(self, entry: str, lang: str) -> Report | None:
        """The topic's report without a scope (the county, the whole bureau) in ``lang``."""
        return next(
            (r for r in self.reports if r.entry == entry and not r.is_variant and self.lang_of(r) == lang),
            None,
        )

    def variants_of(self, entry: str, lang: str) -> list[Report]:
        """The topic's other reports in ``lang``: one per district or station, per named parameter set."""
        return [r for r in self.reports if r.entry == entry and r.is_variant and self.lang_of(r) == lang]

    def variant_text(self, report: Report, lang: str | None = None) -> str:
        """A variant named for readers: its district or station, and its parameter set if any."""
        text = self.scope_text(report, lang) or self.whole_text(report.entry, lang or self.lang_of(report))
        return f"{text} ({report.variant_set})" if report.variant_set else text

    def brief(self, lang: str) -> Report | None:
        return self.main_of(self.config.brief, lang)

    def switch(self, stem_of, lang: str) -> tuple[Link, ...]:
        """Links to the same page in the other languages; ``stem_of(lang)`` is that page's file or None."""
        links = []
        for other in self.languages:
            href = stem_of(other)
            if other != lang and href:
                links.append(Link(LANGUAGE_NAMES.get(other, other), href, lang=other))
        return tuple(links)

    def trail(self, lang: str, *, at_county_index: bool = False) -> list[Link]:
        """The breadcrumb's start in a province: province > county (nothing for one county)."""
        if self.county is None:
            return []
        with language.using(lang):
            province = Link(_(PROVINCE_WORD), f"../{self.index_file(lang)}")
        return [province, Link(self.county.text(lang), None if at_county_index else self.index_file(lang))]

    def page(self, report: Report) -> Page:
        """The navigation of ``report``: breadcrumb ([province > county >] brief > topic > variant), variants, twins."""
        lang = self.lang_of(report)
        crumbs: list[Link] = self.trail(lang)
        brief = self.brief(lang)
        main = self.main_of(report.entry, lang)
        if brief is not None and report.entry != self.config.brief:
            crumbs.append(Link(self.title(brief), brief.html_name))
        if report.is_variant and main is not None:
            crumbs.append(Link(self.title(main), main.html_name))
        crumbs.append(
            Link(self.variant_text(report) if report.is_variant and main is not None else self.title(report), None)
        )
        variants: list[Link] = []
        siblings = self.variants_of(report.entry, lang)
        if siblings:
            if main is not None:
                variants.append(Link(self.whole_text(report.entry, lang), None if main == report else main.html_name))
            for r in siblings:
                variants.append(Link(self.variant_text(r), None if r == report else r.html_name))
        twins = self.switch(
            lambda other: self.other(report, other).html_name if self.other(report, other) else None, lang
        )
        with language.using(lang):
            index = Link(_("All reports"), self.index_file(lang))
            methodology = Link(_("Methodology"), self.methodology_file(lang))
        return Page(
            lang=lang,
            title=self.title(report),
            breadcrumb=tuple(crumbs),
            twins=twins,
            variants=tuple(variants),
            index=index,
            methodology=methodology,
            scope=self.scope_text(report),
        )

    def special_page(self, stem: str, title: str, lang: str) -> Page:
        """The frame of the index or the methodology page in ``lang`` (title already in that language)."""
        brief = self.brief(lang)
        crumbs = self.trail(lang, at_county_index=stem == INDEX)
        crumbs += [Link(self.title(brief), brief.html_name)] if brief is not None and stem != INDEX else []
        if not (self.county is not None and stem == INDEX):  # a county's index: the county's name ends the trail
            crumbs.append(Link(title, None))
        with language.using(lang):
            index = Link(_("All reports"), None if stem == INDEX else self.index_file(lang))
            methodology = Link(_("Methodology"), None if stem == METHODOLOGY else self.methodology_file(lang))
        return Page(
            lang=lang,
            title=title,
            breadcrumb=tuple(crumbs),
            twins=self.switch(lambda other: self.file(stem, other), lang),
            variants=(),
            index=index,
            methodology=methodology,
        )

    def topics(self, lang: str) -> list[Topic]:
        """Every entry for the index in ``lang``: the brief first, then reports.yml order, the cleaning last."""
        entries = sorted(
            self.config.all_entries(),
            key=lambda e: (0 if e.name == self.config.brief else 2 if e.is_clean else 1, e.order),
        )
        return [
            Topic(
                entry=e.name,
                title=self.entry_title(e.name, lang),
                description=self.entry_description(e.name, lang),
                main=self.main_of(e.name, lang),
                variants=tuple(self.variants_of(e.name, lang)),
            )
            for e in entries
        ]
