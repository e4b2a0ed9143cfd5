"""The typed parameter schema of reports.yml, and the expansion of entries into concrete reports.

Everything here runs before any kernel starts: unknown keys, wrong types and values that do not
exist in the processed data are all reported at once as one :class:`ParameterError`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.text import slug

TYPES = ("str", "int", "number", "float", "bool", "date", "path")
# Parameters the runner fills in itself (where the data and figures are); never set by hand.
INJECTED = {"raw": "raw_dir", "processed": "processed_dir", "figures": "figures_dir"}
_NULLS = {"none", "null", ""}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter: its type and what values it may take."""

    name: str
    type: str
    nullable: bool = False
    allowed: str | tuple | None = None  # a data source name (see ALLOWED_SOURCES) or a fixed list
    minimum: float | None = None
    maximum: float | None = None
    injected: str | None = None  # 'raw' | 'processed' | 'figures'
    help: str = ""
    # The language axis: every report whose notebook has this parameter is built once per allowed
    # value (the first is the default language, whose files carry no suffix).
    language: bool = False
    # The label kind (analysis.i18n labels.csv) that names this parameter's values for readers, and
    # the words for a report that takes no value (null): "Whole county".
    label: str | None = None
    whole: str | None = None
    picker: str | None = None  # the index's heading over the variants by this parameter ("By district")

    def cast(self, value: Any, *, where: str) -> Any:
        """``value`` (from YAML, or a string from the command line) as the declared type."""
        if value is None or (isinstance(value, str) and value.strip().lower() in _NULLS and self.type != "str"):
            if self.nullable:
                return None
            raise ParameterError(f"{where}: parameter '{self.name}' may not be empty (declared {self.type})")
        if (
            isinstance(value, str)
            and self.type == "str"
            and self.nullable
            and value.strip().lower() in ("none", "null")
        ):
            return None
        text = value.strip() if isinstance(value, str) else None
        bad = ParameterError(f"{where}: parameter '{self.name}' must be {_TYPE_WORDS[self.type]}, got {value!r}")
        if self.type in ("str", "path"):
            if not isinstance(value, (str, Path)):
                raise bad
            out = str(value).strip()
        elif self.type == "int":
            if isinstance(value, bool):
                raise bad
            if isinstance(value, int):
                out = value
            elif isinstance(value, float) and value.is_integer():
                out = int(value)
            elif text is not None and re.fullmatch(r"[+-]?\d+", text):
                out = int(text)
            else:
                raise bad
        elif self.type in ("number", "float"):
            if isinstance(value, bool):
                raise bad
            if isinstance(value, (int, float)):
                out = value
            else:
                try:
                    out = float(text) if text is not None else None
                except ValueError:
                    out = None
                if out is None or out != out:  # None or NaN
                    raise bad
            if self.type == "float":
                out = float(out)
            elif float(out).is_integer():
                out = int(out)  # 70 stays 70 in titles, 69.5 stays 69.5
        elif self.type == "bool":
            if isinstance(value, bool):
                out = value
            elif text is not None and text.lower() in _TRUE | _FALSE:
                out = text.lower() in _TRUE
            else:
                raise bad
        elif self.type == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, dt.date):
                out = value.isoformat()
            else:
                try:
                    out = dt.date.fromisoformat(text).isoformat() if text and len(text) == 10 else None
                except ValueError:
                    out = None
                if out is None:
                    raise bad
        else:  # pragma: no cover - guarded when the schema is read
            raise bad
        if self.type in ("int", "number", "float"):
            if self.minimum is not None and out < self.minimum:
                raise ParameterError(f"{where}: parameter '{self.name}' must be >= {self.minimum}, got {out}")
            if self.maximum is not None and out > self.maximum:
                raise ParameterError(f"{where}: parameter '{self.name}' must be <= {self.maximum}, got {out}")
        return out


_TYPE_WORDS = {
    "str": "a text",
    "path": "a path",
    "int": "a whole number",
    "number": "a number",
    "float": "a number",
    "bool": "true or false",
    "date": "a date written YYYY-MM-DD",
}


def _unique_sorted(values: Iterable) -> list[str]:
    return sorted({str(v) for v in values if v is not None and v == v})


def _districts(processed_dir: Path) -> list[str]:
    from analysis.data.processed import load

    return _unique_sorted(load("population_margins", processed_dir)["district"].dropna())


def _units(processed_dir: Path) -> list[str]:
    from analysis.data.processed import load

    return _unique_sorted(load("officer_roster", processed_dir)["unit"].dropna())


def _stations(processed_dir: Path) -> list[str]:
    # ASSUMPTION(station-by-name): a station is a roster unit named "... Police Station"; one named otherwise gets no sweep report.
    return [u for u in _units(processed_dir) if u.endswith("Police Station")]


ALLOWED_SOURCES: dict[str, Callable[[Path], list[str]]] = {
    "districts": _districts,
    "stations": _stations,
    "units": _units,
}


@dataclass(frozen=True)
class Entry:
    """One entry of reports.yml: a notebook with its parameter sets and sweeps."""

    name: str
    notebook: Path
    title: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    parameter_sets: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: {"": {}})
    sweep: Mapping[str, Any] = field(default_factory=dict)  # parameter -> source name or list
    order: int = 0
    is_clean: bool = False
    description: str = ""
    # Figure stems the report shows (FigureContext.finish(stem=...)); a variant shows
    # ``variant_figures`` (default: the same), each with its scope suffix (see Report.figure_names).
    figures: tuple[str, ...] = ()
    variant_figures: tuple[str, ...] | None = None
    # reports.yml ``scope``: "county" (the default: built for the county, or for each county of a
    # province) or "province" (built once, from the province's processed root, after every county cleaned).
    scope: str = "county"


SCOPES = ("county", "province")


@dataclass(frozen=True)
class Report:
    """One concrete report: a notebook and the final, typed parameters it runs with.

    ``name`` is unique per language: ``survey--anyi`` (the default language) and ``survey--anyi.en``;
    ``base`` is the same for both (``survey--anyi``). It names the HTML file, the figures folder
    (``figures/<name>/``), the state and the staging folder.
    """

    name: str
    entry: str
    title: str
    notebook: Path
    parameters: dict[str, Any]
    order: int
    is_clean: bool = False
    base: str = ""
    lang: str | None = None  # None: the notebook has no language parameter
    scope: tuple[tuple[str, Any], ...] = ()  # the swept (parameter, value) pairs of a variant
    figures: tuple[str, ...] = ()
    description: str = ""
    variant_set: str = ""  # the named parameter set it comes from ('' for the entry's own parameters)

    def __post_init__(self) -> None:
        if not self.base:
            object.__setattr__(self, "base", self.name)

    @property
    def html_name(self) -> str:
        return f"{self.name}.html"

    @property
    def is_variant(self) -> bool:
        """A district's or station's report, or one of a named parameter set: not the topic's own report."""
        return bool(self.scope or self.variant_set)

    def figure_names(self) -> list[str]:
        """The figure names the rendered report must show (``id="fig-<name>"``).

        ``FigureContext.name``: a variant's figures carry the slug of its scope value
        (``survey_collection_anyi``); the county report's are the bare stems.
        """
        suffix = "".join(f"_{slug(str(value))}" for _, value in self.scope)
        return [f"{stem}{suffix}" for stem in self.figures]


@dataclass
class Config:
    path: Path
    schema: dict[str, ParamSpec]
    clean: Entry | None
    entries: list[Entry]
    reports_dir: Path
    data_dir: Path
    timeout: int | None = None
    preload: tuple[str, ...] = ()
    prestart: bool = True
    fork: bool = True
    sweep_limit: int | None = None
    brief: str = "summary"  # the entry the index starts from and every breadcrumb begins with

    @property
    def language_param(self) -> ParamSpec | None:
        """The parameter declared ``language: true`` (at most one), or None."""
        return next((spec for spec in self.schema.values() if spec.language), None)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages reports are built in, the default first; () without a language parameter."""
        spec = self.language_param
        return tuple(str(v) for v in spec.allowed) if spec is not None else ()

    # A province's county (batch.province): its own raw folder and processed partition; None: data_dir's.
    raw_override: Path | None = None
    processed_override: Path | None = None

    @property
    def raw_dir(self) -> Path:
        return self.raw_override if self.raw_override is not None else self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.processed_override if self.processed_override is not None else self.data_dir / "processed"

    def scoped(self, scope: str) -> list[Entry]:
        """The report entries of one scope (``county`` or ``province``)."""
        return [e for e in self.entries if e.scope == scope]

    def all_entries(self) -> list[Entry]:
        return ([self.clean] if self.clean else []) + list(self.entries)


def _resolve(base: Path, value: str | None, default: Path) -> Path:
    if value is None:
        return default
    p = Path(value)
    return p if p.is_absolute() else (base / p).resolve()


def load_config(path: Path | str) -> Config:
    """Read reports.yml; relative paths in it are relative to the file's folder."""
    path = Path(path).resolve()
    if not path.exists():
        raise ParameterError(f"{path}: report configuration not found")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    where = path.name
    known_top = {
        "parameters",
        "clean",
        "reports",
        "reports_dir",
        "data_dir",
        "timeout",
        "preload",
        "prestart",
        "fork",
        "sweep_limit",
        "brief",
    }
    for key in raw:
        if key not in known_top:
            raise ParameterError(f"{where}: unknown top-level key '{key}' (known: {', '.join(sorted(known_top))})")
    schema: dict[str, ParamSpec] = {}
    for name, spec in (raw.get("parameters") or {}).items():
        spec = dict(spec or {})
        ptype = spec.pop("type", None)
        if ptype not in TYPES:
            raise ParameterError(f"{where}: parameter '{name}' declares type {ptype!r}; use one of {', '.join(TYPES)}")
        allowed = spec.pop("allowed", None)
        if isinstance(allowed, list):
            allowed = tuple(allowed)
        elif allowed is not None and allowed not in ALLOWED_SOURCES:
            raise ParameterError(
                f"{where}: parameter '{name}': allowed must be a list or one of "
                f"{', '.join(ALLOWED_SOURCES)}, got {allowed!r}"
            )
        injected = spec.pop("injected", None)
        if injected is not None and injected not in INJECTED:
            raise ParameterError(f"{where}: parameter '{name}': injected must be one of {', '.join(INJECTED)}")
        is_language = bool(spec.pop("language", False))
        if is_language and not (isinstance(allowed, tuple) and allowed and ptype == "str"):
            raise ParameterError(f"{where}: parameter '{name}': a language parameter is a str with an allowed list")
        schema[name] = ParamSpec(
            name,
            ptype,
            nullable=bool(spec.pop("nullable", False)),
            allowed=allowed,
            minimum=spec.pop("min", None),
            maximum=spec.pop("max", None),
            injected=injected,
            help=str(spec.pop("help", "")),
            language=is_language,
            label=spec.pop("label", None),
            whole=spec.pop("whole", None),
            picker=spec.pop("picker", None),
        )
        if spec:
            raise ParameterError(f"{where}: parameter '{name}': unknown keys {', '.join(sorted(spec))}")
    languages = [n for n, s in schema.items() if s.language]
    if len(languages) > 1:
        raise ParameterError(f"{where}: only one parameter may be the language axis, got {', '.join(languages)}")
    base = path.parent

    def entry(item: Mapping, order: int, is_clean: bool) -> Entry:
        item = dict(item)
        name = item.pop("name", None)
        nb = item.pop("notebook", None)
        if not name or not nb:
            raise ParameterError(f"{where}: every report needs a name and a notebook, got {item!r}")
        sets = item.pop("parameter_sets", None) or {"": {}}
        if isinstance(sets, list):  # a list of parameter dicts: named by position
            sets = {("" if i == 0 else str(i)): s for i, s in enumerate(sets)}
        variant_figures = item.pop("variant_figures", None)
        scope = str(item.pop("scope", "county") or "county")
        if scope not in SCOPES or (is_clean and scope != "county"):
            raise ParameterError(f"{where}: report '{name}': scope must be county or province, got {scope!r}")
        e = Entry(
            name=str(name),
            notebook=_resolve(base, nb, Path(nb)),
            title=str(item.pop("title", name)),
            parameters=dict(item.pop("parameters", None) or {}),
            parameter_sets={str(k): dict(v or {}) for k, v in sets.items()},
            sweep=dict(item.pop("sweep", None) or {}),
            order=order,
            is_clean=is_clean,
            description=str(item.pop("description", "") or ""),
            figures=_stems(item.pop("figures", None), where, name),
            variant_figures=None if variant_figures is None else _stems(variant_figures, where, name),
            scope=scope,
        )
        if item:
            raise ParameterError(f"{where}: report '{name}': unknown keys {', '.join(sorted(item))}")
        return e

    clean = entry(raw["clean"], 0, True) if raw.get("clean") else None
    entries = [entry(item, i + 1, False) for i, item in enumerate(raw.get("reports") or [])]
    names = [e.name for e in entries] + ([clean.name] if clean else [])
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParameterError(f"{where}: report names must be unique: {', '.join(dupes)}")
    data_dir = _resolve(base, raw.get("data_dir"), paths.DATA)
    return Config(
        path=path,
        schema=schema,
        clean=clean,
        entries=entries,
        # Next to the data unless configured: two data folders never share (and overwrite) one reports folder.
        reports_dir=_resolve(base, raw.get("reports_dir"), paths.reports_for(data_dir)),
        data_dir=data_dir,
        timeout=raw.get("timeout"),
        preload=_modules(raw.get("preload"), where),
        prestart=bool(raw.get("prestart", True)),
        fork=bool(raw.get("fork", True)),
        sweep_limit=raw.get("sweep_limit"),
        brief=str(raw.get("brief", "summary")),
    )


def _stems(value, where: str, report: str) -> tuple[str, ...]:
    """A report's declared figure stems: a list of names as FigureContext.finish gets them."""
    stems = tuple(str(v) for v in (value or ()))
    for stem in stems:
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", stem):
            raise ParameterError(f"{where}: report '{report}': figure {stem!r} is not a figure stem")
    if len(set(stems)) != len(stems):
        raise ParameterError(f"{where}: report '{report}': a figure is declared twice")
    return stems


def _modules(value, where: str) -> tuple[str, ...]:
    """Module names to import in each kernel before its notebook runs (reports.yml ``preload``)."""
    mods = tuple(value or ())
    for m in mods:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", str(m)):
            raise ParameterError(f"{where}: preload: {m!r} is not a module name")
    return mods


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Names (and defaults as written) of the notebook's ``parameters`` cell; no kernel is started.

    Read with ``ast`` (the names papermill would override: top-level assignments), which avoids
    importing papermill when every report turns out to be unchanged.
    """
    import ast
    import json

    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell.get("source", ""))
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise ParameterError(f"{notebook}: the parameters cell is not valid Python: {exc}") from None
        for node in tree.body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            for t in targets:
                if isinstance(t, ast.Name) and getattr(node, "value", None) is not None:
                    out[t.id] = ast.get_source_segment(source, node.value)
        break  # papermill uses the first cell tagged parameters
    return out


def parse_overrides(pairs: Iterable[str], schema: Mapping[str, ParamSpec]) -> dict[str, Any]:
    """``-p key=value`` pairs, each cast to its declared type."""
    out: dict[str, Any] = {}
    errors: list[str] = []
    for pair in pairs or ():
        if "=" not in pair:
            errors.append(f"-p {pair!r}: write parameters as key=value")
            continue
        key, value = (s.strip() for s in pair.split("=", 1))
        spec = schema.get(key)
        if spec is None:
            errors.append(f"-p {key}: unknown parameter '{key}' (declared in the schema: {', '.join(sorted(schema))})")
        elif spec.injected:
            errors.append(f"-p {key}: '{key}' is set by the runner (use ANALYSIS_DATA_DIR to move the data)")
        else:
            try:
                out[key] = spec.cast(value, where=f"-p {key}")
            except ParameterError as exc:
                errors.append(str(exc))
    if errors:
        raise ParameterError("\n".join(errors))
    return out


class AllowedValues:
    """Allowed values read from the processed data, each source read once."""

    def __init__(self, processed_dir: Path | None):
        self.processed_dir = processed_dir
        self._cache: dict[str, list[str]] = {}

    @property
    def available(self) -> bool:
        return self.processed_dir is not None and (self.processed_dir / paths.MANIFEST).exists()

    def get(self, source: str | tuple) -> list[str]:
        if isinstance(source, tuple):
            return [str(v) for v in source]
        if source not in self._cache:
            self._cache[source] = ALLOWED_SOURCES[source](self.processed_dir)
        return self._cache[source]


def check_entries(
    config: Config, overrides: Mapping[str, Any], notebook_params: Mapping[str, Mapping[str, Any] | None]
) -> list[str]:
    """Static checks (no data needed): keys known to the schema and to the notebook, types cast.

    ``notebook_params`` maps entry name -> the notebook's parameters (None: notebook missing).
    Returns the list of problems found (empty when all is well).
    """
    errors: list[str] = []
    schema = config.schema
    for e in config.all_entries():
        nb_params = notebook_params.get(e.name)
        where = f"{config.path.name}, report '{e.name}'"
        sets = [("parameters", e.parameters)] + [(f"parameter set '{k}'", v) for k, v in e.parameter_sets.items()]
        sets += [("sweep", {k: None for k in e.sweep})]
        for label, params in sets:
            for key, value in params.items():
                spec = schema.get(key)
                if spec is None:
                    errors.append(
                        f"{where} ({label}): unknown parameter '{key}' "
                        f"(declared in the schema: {', '.join(sorted(schema))})"
                    )
                    continue
                if nb_params is not None and key not in nb_params:
                    errors.append(
                        f"{where} ({label}): '{key}' is not a parameter of {e.notebook.name} "
                        f"(it has: {', '.join(nb_params) or 'none'})"
                    )
                if label != "sweep":
                    try:
                        spec.cast(value, where=f"{where} ({label})")
                    except ParameterError as exc:
                        errors.append(str(exc))
        for key, source in e.sweep.items():
            if not (isinstance(source, list) or source in ALLOWED_SOURCES):
                errors.append(
                    f"{where}: sweep over '{key}' must list values or name one of {', '.join(ALLOWED_SOURCES)}"
                )
    for key in overrides:
        users = [e.name for e in config.all_entries() if notebook_params.get(e.name) and key in notebook_params[e.name]]
        if not users:
            errors.append(f"-p {key}: no report in {config.path.name} has a parameter '{key}'")
    return errors


def expand(
    config: Config,
    overrides: Mapping[str, Any],
    notebook_params: Mapping[str, Mapping[str, Any] | None],
    allowed: AllowedValues,
    *,
    include_clean: bool = False,
) -> tuple[list[Report], list[str]]:
    """Concrete reports (sweeps expanded with values found in the data) and the problems found.

    Values constrained by an ``allowed`` source are checked against the data when it is there;
    a sweep over a data source needs the data (call again after cleaning).
    """
    errors: list[str] = []
    reports: list[Report] = []
    schema = config.schema
    entries = config.all_entries() if include_clean else list(config.entries)
    for e in entries:
        nb_params = notebook_params.get(e.name)
        if nb_params is None:
            continue  # missing notebook: reported by the runner
        where = f"report '{e.name}'"
        sweep_axes: list[list[tuple[str, Any]]] = []
        for key, source in e.sweep.items():
            if key in overrides:
                continue  # `-p district=X` asks for X only: no sweep over districts
            if isinstance(source, list):
                values = source
            elif allowed.available:
                values = allowed.get(source)
                if config.sweep_limit is not None:
                    # ASSUMPTION(sweep-limit): with sweep_limit set (benchmarks) a sweep covers only its first values in sorted order.
                    values = values[: int(config.sweep_limit)]
            else:
                values = []  # expanded once the data exists
            sweep_axes.append([(key, v) for v in values])
        combos: list[list[tuple[str, Any]]] = [[]]
        for axis in sweep_axes:
            combos = [c + [kv] for c in combos for kv in axis]
        variants: list[tuple[str, dict]] = []
        for set_name, set_params in e.parameter_sets.items():
            variants.append((set_name, {**e.parameters, **set_params}))
            if any(axis for axis in sweep_axes):
                for combo in combos:
                    suffix = "-".join(slug(v) for _, v in combo)
                    variants.append(
                        ("-".join(s for s in (set_name, suffix) if s), {**e.parameters, **set_params, **dict(combo)})
                    )
        lang_spec = config.language_param
        for suffix, params in variants:
            final: dict[str, Any] = {}
            for key, value in {**params, **{k: v for k, v in overrides.items() if k in nb_params}}.items():
                spec = schema.get(key)
                if spec is None:
                    continue  # reported by check_entries
                try:
                    value = spec.cast(value, where=where)
                except ParameterError as exc:
                    errors.append(str(exc))
                    continue
                if (
                    spec.allowed is not None
                    and value is not None
                    and (isinstance(spec.allowed, tuple) or allowed.available)
                ):
                    ok = allowed.get(spec.allowed)
                    if value not in ok:
                        kind = spec.allowed if isinstance(spec.allowed, str) else "values"
                        errors.append(
                            f"{where}: {key}={value!r} does not exist in the data; the {kind} that do: "
                            f"{', '.join(ok) or 'none'}"
                        )
                        continue
                final[key] = value
            base = e.name if not suffix else f"{e.name}--{suffix}"
            set_label = next((k for k in e.parameter_sets if k and (suffix == k or suffix.startswith(k + "-"))), "")
            # The scope a variant is restricted to: its swept values (or a `-p district=X` that replaced the sweep).
            scope = tuple((k, final[k]) for k in e.sweep if final.get(k) is not None)
            figures = (e.variant_figures if e.variant_figures is not None else e.figures) if scope else e.figures
            # Every language the notebook can write in, unless one was asked for (or fixed by the entry).
            if lang_spec is None or lang_spec.name not in nb_params:
                langs: list[str | None] = [None]
            elif final.get(lang_spec.name) is not None:
                langs = [final[lang_spec.name]]
            else:
                langs = list(config.languages)
            for lang in langs:
                name = base if lang is None or lang == config.languages[0] else f"{base}.{lang}"
                reports.append(
                    Report(
                        name=name,
                        entry=e.name,
                        title=_title(e.title, final, e, set_label),
                        notebook=e.notebook,
                        parameters=final if lang is None else {**final, lang_spec.name: lang},
                        order=e.order,
                        is_clean=e.is_clean,
                        base=base,
                        lang=lang,
                        scope=scope,
                        figures=figures,
                        description=e.description,
                        variant_set=set_label,
                    )
                )
    return _dedupe_errors(errors), reports


def _title(base: str, params: Mapping[str, Any], e: Entry, set_label: str = "") -> str:
    swept = [str(params[k]) for k in e.sweep if params.get(k) is not None]
    title = f"{base}: {', '.join(swept)}" if swept else base
    return f"{title} ({set_label})" if set_label else title


def _dedupe_errors(errors: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for err in errors:
        seen.setdefault(err, None)
    return list(seen)
