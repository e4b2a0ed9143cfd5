"""Writing the demo exports byte for byte reproducibly: CSV (UTF-8 or GB18030) and .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from analysis.data.contract import RawFile

# A fixed time for everything that would otherwise carry the clock: xlsx properties and zip entries.
FIXED_TIME = dt.datetime(2004, 12, 31, 0, 0, 0)


def headers(spec: RawFile, language: str) -> list[str]:
    """Column headers as the export writes them: canonical English, or the first Chinese alias."""
    if language == "en":
        return [c.name for c in spec.columns]
    return [next((a for a in c.aliases if not a.isascii()), c.name) for c in spec.columns]


class CsvExport:
    """A CSV export written county by county (so a province never sits in memory at once)."""

    def __init__(self, path: Path, spec: RawFile, language: str, encoding: str = "utf-8"):
        self.path, self.spec = path, spec
        # Open for the export's lifetime (appended county by county), closed by close().
        self.handle = open(path, "w", encoding=encoding, newline="")  # noqa: SIM115
        pd.DataFrame(columns=headers(spec, language)).to_csv(self.handle, index=False, lineterminator="\n")

    def append(self, frame: pd.DataFrame) -> None:
        frame = frame[[c.name for c in self.spec.columns]]
        frame.to_csv(self.handle, index=False, header=False, lineterminator="\n")

    def handle_close(self) -> None:
        self.handle.close()

    def close(self) -> Path:
        self.handle.close()
        return self.path


class XlsxExport:
    """An .xlsx export (openpyxl write-only); dates given as ``datetime.date`` become Excel date cells."""

    def __init__(self, path: Path, spec: RawFile, language: str, sheet: str):
        self.path, self.spec = path, spec
        self.book = Workbook(write_only=True)
        self.book.properties.creator = "analysis.demo"
        self.book.properties.created = FIXED_TIME
        self.sheet = self.book.create_sheet(sheet)
        self.sheet.append(headers(spec, language))

    def _cell(self, value):
        if isinstance(value, dt.date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            return cell
        return value

    def append(self, frame: pd.DataFrame) -> None:
        columns = [c.name for c in self.spec.columns]
        for row in frame[columns].itertuples(index=False, name=None):
            self.sheet.append([self._cell(v) for v in row])

    def handle_close(self) -> None:
        """Nothing to release: the workbook lives in memory until ``close`` saves it."""

    def close(self) -> Path:
        buffer = io.BytesIO()
        self.book.save(buffer)
        self.path.write_bytes(deterministic_zip(buffer.getvalue()))
        return self.path


_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def deterministic_zip(data: bytes) -> bytes:
    """The same workbook with fixed entry times, order and compression, and fixed document times."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():  # openpyxl's own order, which does not depend on the data
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, content, compresslevel=6)
    return out.getvalue()
