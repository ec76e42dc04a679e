"""Where `pianchai score` results go: a journal while the batch runs, the output at the end.

While files are being scored, each file's rows are appended to a journal next to the output
(`OUTPUT.partial.jsonl`, one JSON line per file, flushed at once), so a killed run loses at most
the line being written. At the end the journal (and, with --resume, the previous output) is turned
into the output format, written to temporary names in the same folder and moved into place with
os.replace, so a reader never sees a half-written output. A CSV output is four files and a
resumed Parquet output several parts: they are moved as a set, under a commit record
(`OUTPUT.commit`, the list of moves) written first and deleted last; a run that finds one (the
last run died mid-set) finishes the moves before anything else, so the tables never disagree.
Then the journal is deleted. An output that cannot be written (a full disk) is an OutputError and
leaves no temporary file; the journal stays for --resume.

Text from forms is written inert (reports.safe): no formula in a workbook, CSV-injection prefixes
in CSV, and names that are not valid UTF-8 shown with their bytes escaped.

Output by suffix of OUTPUT:
- `NAME.csv`: NAME.csv (forms), NAME.indicators.csv, NAME.errors.csv, NAME.duplicates.csv
  (UTF-8 with BOM so Excel opens Chinese text correctly).
- `NAME.xlsx`: sheets forms, indicators, errors, duplicates (a table over 1,048,575 rows continues
  on sheets "indicators 2", ...).
- `NAME.parquet`: a folder holding one Parquet dataset per table: NAME.parquet/forms/,
  NAME.parquet/indicators/, NAME.parquet/errors/ (part-*.parquet files; a resumed run adds
  parts) and NAME.parquet/duplicates/part-0.parquet (recomputed over the whole dataset each run).

`--resume` skips every file already scored without error (in the output's forms table or in the
journal) and scores again every file that has error rows: a repaired file is read again, and its
old rows are replaced. The xlsx output has headers in the catalogue's language (reports.messages),
a frozen header row, filters and column widths; reading it back maps the headers to the columns.
"""
from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Iterable, Iterator

from batch.rows import column_type, columns
from reports.safe import (csv_row, from_csv_text, printable, printable_row, temp_beside,
                          write_atomic, write_only_cells)

TABLES = ("forms", "indicators", "errors")
DUP_COLUMNS = ["group", "occurrences", "forms", "files", "variants", "example", "sample_files"]
XLSX_MAX_ROWS = 1_048_575
PARQUET_ROW_GROUP = 4096

Observer = Callable[[str, dict], None]


class OutputError(Exception):
    """The output path cannot be used (unknown suffix, not writable)."""


class OutputWriteError(OutputError):
    """Writing the output failed part way (a full disk): nothing half-written was left."""


def output_format(output: str) -> str:
    suffix = Path(output.rstrip("/\\")).suffix.lower()
    fmt = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}.get(suffix)
    if fmt is None:
        raise OutputError(f"{output}: output must end in .csv, .xlsx or .parquet")
    return fmt


def table_paths(output: str) -> dict[str, Path]:
    """The files a .csv output consists of."""
    p = Path(output)
    stem = p.with_suffix("")
    return {"forms": p, "indicators": Path(f"{stem}.indicators.csv"),
            "errors": Path(f"{stem}.errors.csv"), "duplicates": Path(f"{stem}.duplicates.csv")}


# ---- reading an existing output -------------------------------------------------------------

def _typed(name: str, value):
    """A CSV / xlsx cell back to its column's type ('' and None are missing)."""
    if value is None or value == "":
        return None
    kind = column_type(name)
    try:
        if kind == "int":
            return int(float(value))
        if kind == "float":
            return float(value)
        if kind == "bool":
            return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1")
    except (TypeError, ValueError):
        return None
    return from_csv_text(value) if isinstance(value, str) else str(value)


def iter_output(output: str, table: str, fields: list[str] | None = None) -> Iterator[dict]:
    """Rows of one table of an existing output (nothing if it does not exist)."""
    fmt = output_format(output)
    if fmt == "csv":
        path = table_paths(output)[table]
        if not path.is_file():
            return
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                yield {k: _typed(k, v) for k, v in row.items() if k is not None and
                       (fields is None or k in fields)}
    elif fmt == "xlsx":
        if not Path(output).is_file():
            return
        from openpyxl import load_workbook

        wb = load_workbook(output, read_only=True)
        names = sheet_names(table)
        try:
            for ws in wb.worksheets:
                if not any(ws.title == n or ws.title.startswith(n + " ") for n in names):
                    continue
                it = ws.iter_rows(values_only=True)
                header = next(it, None)
                if not header:
                    continue
                header = [column_of(h) for h in header]
                for values in it:
                    yield {k: _typed(k, v) for k, v in zip(header, values)
                           if k and (fields is None or k in fields)}
        finally:
            wb.close()
    else:
        folder = Path(output) / table
        if not folder.is_dir():
            return
        _, pq = _arrow()
        for part in sorted(folder.glob("*.parquet")):
            pf = pq.ParquetFile(part)
            cols = [c for c in pf.schema_arrow.names if fields is None or c in fields]
            for batch in pf.iter_batches(batch_size=8192, columns=cols):
                yield from batch.to_pylist()


def done_files(output: str) -> tuple[set[str], set[str]]:
    """Files in an output's forms table, and files with rows in its errors table."""
    found: dict[str, set[str]] = {"forms": set(), "errors": set()}
    for table in found:
        for row in iter_output(output, table, ["file"]):
            if row.get("file"):
                found[table].add(row["file"])
    return found["forms"], found["errors"]


def sheet_names(table: str) -> list[str]:
    """A table's sheet name in each language (an output written with --lang en reads back)."""
    from reports.messages import LANGS, catalogue

    labels = catalogue()["score_table"].get(table, {})
    return list(dict.fromkeys([table, *(labels.get(lang, table) for lang in LANGS)]))


def column_of(header) -> str | None:
    """The column a header cell names: the column itself, or its label in either language."""
    if header is None:
        return None
    return _label_columns().get(str(header), str(header))


def _label_columns() -> dict[str, str]:
    from reports.messages import LANGS, catalogue

    out = {}
    for column, labels in catalogue().get("column", {}).items():
        for lang in LANGS:
            out[labels[lang]] = column
    return out


def column_label(column: str) -> str:
    from reports.messages import t

    try:
        return t(f"column.{column}")
    except KeyError:
        return column


def output_exists(output: str) -> bool:
    fmt = output_format(output)
    if fmt == "csv":
        return table_paths(output)["forms"].is_file()
    return Path(output).exists()


# ---- the journal ----------------------------------------------------------------------------

def journal_path(output: str) -> Path:
    return Path(output.rstrip("/\\") + ".partial.jsonl")


def commit_path(output: str) -> Path:
    return Path(output.rstrip("/\\") + ".commit")


def iter_journal(path: Path) -> Iterator[dict]:
    """Complete lines of a journal; a line cut short by a kill is ignored."""
    if not path.is_file():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                break
            try:
                yield json.loads(line)
            except ValueError:
                continue


def _cut_partial_line(path: Path) -> None:
    """Drop a last line without its newline (the run was killed while writing it)."""
    with open(path, "rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        pos = size
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                end = pos - step + nl + 1
                if end != size:
                    fh.truncate(end)
                return
            pos -= step
        fh.truncate(0)


class Sink:
    """Collects per-file results for one output; see the module docstring."""

    def __init__(self, output: str, *, resume: bool = False, codes: list[str] | None = None):
        self.output = output
        self.fmt = output_format(output)
        parent = Path(output).resolve().parent
        if not parent.is_dir():
            raise OutputError(f"{output}: folder {parent} does not exist")
        self.resume = resume
        self.codes = codes
        self.journal = journal_path(output)
        self.done: set[str] = set()          # files already scored, when resuming
        self.retry: set[str] = set()         # files with error rows, scored again
        self._old_done: set[str] = set()
        self._fh = open(self.journal, "a+", encoding="utf-8")
        try:
            import fcntl

            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)   # released when we exit
        except ImportError:  # pragma: no cover - not POSIX
            pass
        except OSError:
            self._fh.close()
            raise OutputError(f"{output}: another `pianchai score` is writing this output "
                              f"(its journal {self.journal} is locked)") from None
        try:
            _recover(output)
        except OSError as e:
            self._fh.close()
            raise OutputWriteError(f"{output}: cannot finish the previous run's output: "
                                   f"{e.strerror or e}") from None
        if resume:
            if output_exists(output):
                scored, failed = done_files(output)
                self._old_done = scored | failed
                self.retry |= failed
            _cut_partial_line(self.journal)
            for r in iter_journal(self.journal):
                (self.retry if r.get("errors") else self.done).add(r["file"])
            self.retry -= self.done      # scored again without error after its error row
            self.done |= self._old_done - self.retry
        else:
            self._fh.truncate(0)
        self._fh.seek(0, os.SEEK_END)
        self.added = 0

    def add(self, result: dict) -> None:
        """Record one file's result; on disk when this returns."""
        line = json.dumps(result, ensure_ascii=False, default=str) + "\n"
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:      # a file name (or text) that is not valid UTF-8
            result = {k: [printable_row(r) for r in v] if isinstance(v, list) else
                      printable(v) if isinstance(v, str) else v for k, v in result.items()}
            line = json.dumps(result, ensure_ascii=False, default=str) + "\n"
        try:
            self._fh.write(line)
            self._fh.flush()
        except OSError as e:
            raise OutputWriteError(f"{self.journal}: cannot write the journal: {e.strerror or e}") from None
        self.added += 1

    def scoring(self, todo: Iterable[str]) -> None:
        """Tell the sink which files this run scores: only those files' error rows are replaced
        (a failed file not among this run's inputs keeps its error rows)."""
        wanted = set()
        for f in todo:
            wanted.add(f)
            wanted.add(printable(f))
        self.retry &= wanted

    def has(self, path: str) -> bool:
        """Whether `path` is already in the output or the journal (as its printable name)."""
        return path in self.done or printable(path) in self.done

    def close(self, observers: Iterable[Observer] = (),
              duplicates: Callable[[], list[dict]] | None = None) -> None:
        """Write the output (previous output + journal), atomically; delete the journal.

        Every row written passes through `observers` (report statistics, duplicate detection);
        `duplicates` is then called for the duplicates table.
        """
        try:
            self._fh.flush()             # still open: the lock holds until the journal is gone
            observers = list(observers)
            keep_old = self.resume and output_exists(self.output)
            {"csv": self._write_csv, "xlsx": self._write_xlsx,
             "parquet": self._write_parquet}[self.fmt](keep_old, observers, duplicates)
            self.journal.unlink(missing_ok=True)
        except OSError as e:
            raise OutputWriteError(f"{self.output}: cannot write the output: {e.strerror or e}; "
                                   f"finished files are kept in {self.journal} "
                                   f"(run again with --resume)") from None
        finally:
            self._fh.close()

    def abandon(self) -> None:
        """Close the journal and leave it for --resume (interrupted run)."""
        if not self._fh.closed:
            self._fh.close()

    # -- rows in output order --------------------------------------------------------------
    def _rows(self, keep_old: bool, observers: list[Observer]) -> Iterator[tuple[str, dict]]:
        """(table, row) for the old output's rows (with --resume) then the journal's."""
        if keep_old:
            yield from self._old_rows(observers)
        yield from self._journal_rows(observers)

    def _old_rows(self, observers: list[Observer]) -> Iterator[tuple[str, dict]]:
        """The old output's rows, without those of files scored again (--resume retries)."""
        for table in TABLES:
            for row in iter_output(self.output, table):
                if row.get("file") in self.retry:
                    continue
                for ob in observers:
                    ob(table, row)
                yield table, row

    def _journal_rows(self, observers: list[Observer]) -> Iterator[tuple[str, dict]]:
        for result in self._journal():
            for table in TABLES:
                for row in result.get(table, ()):
                    for ob in observers:
                        ob(table, row)
                    yield table, row

    def _journal(self) -> Iterator[dict]:
        """Journal lines, without files the old output already has (a run killed between
        writing its output and deleting its journal) and, for a file scored more than once
        (an error row, then a retry), only its last line."""
        last: dict[str, int] = {}
        if self.retry:
            for n, result in enumerate(iter_journal(self.journal)):
                if result.get("file") in self.retry:
                    last[result["file"]] = n
        for n, result in enumerate(iter_journal(self.journal)):
            file = result.get("file")
            if file in self.retry:
                if last.get(file) == n:
                    yield result
            elif file not in self._old_done:
                yield result

    def _cols(self, table: str) -> list[str]:
        return DUP_COLUMNS if table == "duplicates" else columns(table, self.codes)

    # -- csv ---------------------------------------------------------------------------------
    def _write_csv(self, keep_old, observers, duplicates) -> None:
        paths = table_paths(self.output)
        tmp: dict[str, Path] = {}
        handles, writers = {}, {}
        try:
            for table in (*TABLES, "duplicates"):
                name = temp_beside(paths[table])
                tmp[table] = Path(name)
                fh = open(name, "w", newline="", encoding="utf-8-sig")
                handles[table] = fh
                w = csv.DictWriter(fh, fieldnames=self._cols(table), extrasaction="ignore",
                                   lineterminator="\n")
                w.writeheader()
                writers[table] = w
            # read everything old before anything is replaced
            for table, row in self._rows(keep_old, observers):
                writers[table].writerow(csv_row(row))
            for row in (duplicates() if duplicates else []):
                writers["duplicates"].writerow(csv_row(row))
            for fh in handles.values():
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
            _commit(self.output, [(tmp[t], paths[t]) for t in tmp])
        finally:
            for fh in handles.values():
                fh.close()
            if not commit_path(self.output).exists():    # else the next run carries the set out
                for name in tmp.values():
                    name.unlink(missing_ok=True)

    # -- xlsx --------------------------------------------------------------------------------
    def _write_xlsx(self, keep_old, observers, duplicates) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell  # noqa: F401  (write-only mode)

        from reports.messages import t

        wb = Workbook(write_only=True)
        sheets: dict[str, list] = {}   # table -> [worksheet, rows on it, sheet number]

        def new_sheet(table: str, n: int):
            label = t(f"score_table.{table}")
            ws = wb.create_sheet(label if n == 1 else f"{label} {n}")
            cols = self._cols(table)
            # frozen header, filters over every column, widths that fit the header and the data
            ws.freeze_panes = "A2"
            for k, col in enumerate(cols, 1):
                ws.column_dimensions[_col_letter(k)].width = _WIDTHS.get(col, 12 if col.startswith("PC") else 14)
            ws.append([column_label(c) for c in cols])
            return ws

        def put(table: str, row: dict) -> None:
            cols = self._cols(table)
            entry = sheets.get(table)
            if entry is None or entry[1] >= XLSX_MAX_ROWS:
                n = 1 if entry is None else entry[2] + 1
                entry = sheets[table] = [new_sheet(table, n), 0, n, len(cols)]
                made.append(entry)
            entry[0].append(write_only_cells(entry[0], [row.get(c) for c in cols]))
            entry[1] += 1

        made: list[list] = []
        for table in (*TABLES, "duplicates"):
            sheets[table] = [new_sheet(table, 1), 0, 1, len(self._cols(table))]
            made.append(sheets[table])
        for table, row in self._rows(keep_old, observers):
            put(table, row)
        for row in (duplicates() if duplicates else []):
            put("duplicates", row)
        for ws, rows, _, ncols in made:
            ws.auto_filter.ref = f"A1:{_col_letter(ncols)}{rows + 1}"
        out = Path(self.output)
        name = temp_beside(out)
        try:
            wb.save(name)
            with open(name, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(name, out)
        finally:
            if os.path.exists(name):
                os.unlink(name)

    # -- parquet -----------------------------------------------------------------------------
    def _write_parquet(self, keep_old, observers, duplicates) -> None:
        pa, pq = _arrow()

        out = Path(self.output)
        append = keep_old and not self.retry     # retried files' old rows must go: rewrite
        if append:
            root = out                                          # add parts to the dataset
        else:
            root = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp",
                                         dir=out.resolve().parent))
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(root, 0o777 & ~umask)
        stamp = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        schemas = {t: arrow_schema(self._cols(t)) for t in (*TABLES, "duplicates")}
        writers: dict[str, tuple] = {}
        buffers: dict[str, list] = {t: [] for t in TABLES}

        def flush(table: str) -> None:
            rows = buffers[table]
            if not rows:
                return
            if table not in writers:
                folder = root / table
                folder.mkdir(parents=True, exist_ok=True)
                final = folder / f"part-{stamp}.parquet"
                tmp = folder / f".part-{stamp}.parquet.tmp"
                writers[table] = (pq.ParquetWriter(tmp, schemas[table]), tmp, final)
            schema = schemas[table]
            columns_ = {c: [r.get(c) for r in rows] for c in schema.names}
            writers[table][0].write_table(pa.Table.from_pydict(columns_, schema=schema))
            buffers[table] = []

        try:
            if append:   # old rows only feed the observers: their parts stay as they are
                for _ in self._old_rows(observers):
                    pass
                rows = self._journal_rows(observers)
            else:
                rows = self._rows(keep_old, observers)
            for table, row in rows:
                buffers[table].append(row)
                if len(buffers[table]) >= PARQUET_ROW_GROUP:
                    flush(table)
            for table in TABLES:
                flush(table)
            for table in TABLES:      # empty tables still get their folder and schema
                if table not in writers:
                    folder = root / table
                    folder.mkdir(parents=True, exist_ok=True)
                    if not any(folder.glob("*.parquet")):
                        pq.write_table(schemas[table].empty_table(), folder / "part-empty.parquet")
            moves = []
            for w, tmp, final in writers.values():
                w.close()
                moves.append((tmp, final))
            dup_dir = root / "duplicates"
            dup_dir.mkdir(exist_ok=True)
            tmp = dup_dir / ".part-0.parquet.tmp"
            with pq.ParquetWriter(tmp, schemas["duplicates"]) as w:   # row groups: memory stays flat
                dups = iter(duplicates() if duplicates else [])
                while True:
                    rows = list(itertools.islice(dups, PARQUET_ROW_GROUP))
                    if rows:                        # none at all: the file still has the schema
                        w.write_table(pa.Table.from_pylist(rows, schema=schemas["duplicates"]))
                    if len(rows) < PARQUET_ROW_GROUP:
                        break
            moves.append((tmp, dup_dir / "part-0.parquet"))
            if append:
                _commit(self.output, moves)      # the new parts of every table, as one set
            else:
                for a, b in moves:               # inside the new folder: nobody reads it yet
                    os.replace(a, b)
                _commit(self.output, [(root, out)])
            for _, _, final in writers.values():
                empty = final.parent / "part-empty.parquet"
                if empty.exists():
                    empty.unlink()
            writers.clear()
        finally:
            for w, _, _ in writers.values():
                w.close()
            if not commit_path(self.output).exists():    # else the next run carries the set out
                for _, tmp, _ in writers.values():
                    Path(tmp).unlink(missing_ok=True)
                Path(root / "duplicates" / ".part-0.parquet.tmp").unlink(missing_ok=True)
                if not append and root.exists() and root != out:
                    shutil.rmtree(root, ignore_errors=True)


#: Column widths of the xlsx output, in characters (others: 14, rule-count columns 12).
_WIDTHS = {"file": 36, "project": 30, "department": 20, "implementer": 20, "indicator": 24,
           "level1": 12, "level2": 14, "target": 16, "actual": 16, "explanation": 60, "message": 60,
           "example": 60, "sample_files": 40, "vague_phrases": 24, "codes": 16, "stage": 10,
           "form": 6, "row": 6, "year": 8}


def _col_letter(k: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(k)


def _commit(output: str, moves: list[tuple[Path, Path]]) -> None:
    """Move every (temporary, final) pair into place as one set (see the module docstring)."""
    record = commit_path(output)
    # bytes: the paths go in as they are, not through printable()
    write_atomic(record, json.dumps([[str(a), str(b)] for a, b in moves]).encode("utf-8"))
    _redo(record)


def _redo(record: Path) -> None:
    """Carry out a commit record's moves (each temporary exists only until it is moved), then
    delete the record."""
    with open(record, encoding="utf-8") as fh:
        moves = json.load(fh)
    for a, b in moves:
        if os.path.lexists(a):
            _move(Path(a), Path(b))
    _fsync_dir(record.resolve().parent)
    record.unlink()


def _recover(output: str) -> None:
    """Finish a set of moves a killed run left half done, then remove the temporary files and
    folders earlier runs left beside the output (this run holds the output's lock)."""
    record = commit_path(output)
    if record.is_file():              # written whole (temporary + rename): never cut short
        _redo(record)
    out = Path(output.rstrip("/\\"))
    names = {p.name for p in table_paths(output).values()} if output_format(output) == "csv" else {out.name}
    names.add(record.name)
    if output_format(output) == "parquet" and out.is_dir():     # parts of a resumed run
        for part in out.glob("*/.part-*.tmp"):
            part.unlink(missing_ok=True)
    for entry in out.resolve().parent.iterdir():
        if entry.name.startswith(".") and any(entry.name.startswith(f".{n}.") for n in names) and \
                (entry.name.endswith(".tmp") or ".old-" in entry.name):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _move(new: Path, out: Path) -> None:
    """Put `new` (a file or folder) at `out`, replacing what was there."""
    if new.is_dir() and out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.is_dir():
            os.replace(out, old)
        else:
            out.unlink()
        os.replace(new, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, out)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _arrow():
    """pyarrow and pyarrow.parquet, with pandas left unloaded. pyarrow imports pandas (a third
    of a second, ~50 MiB) the first time it converts a Python object, only to ask whether the
    object is a pandas one; ours never are (lists, against a schema). So when pandas is not
    loaded yet, that first question is answered with pandas hidden; pyarrow imports it later if
    something does ask for pandas (Table.to_pandas)."""
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    global _ARROW_PRIMED
    if not _ARROW_PRIMED and "pandas" not in sys.modules:
        hide = _HidePandas()
        sys.meta_path.insert(0, hide)
        try:
            pa.array([], type=pa.int64())
        finally:
            sys.meta_path.remove(hide)
    _ARROW_PRIMED = True
    return pa, pq


_ARROW_PRIMED = False


class _HidePandas:
    """An import finder under which pandas cannot be found."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not needed to write these tables")


def arrow_schema(cols: list[str]):
    import pyarrow as pa

    kinds = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema([(c, kinds[column_type(c)] if c not in DUP_COLUMNS else _dup_type(c))
                      for c in cols])


def _dup_type(c: str):
    import pyarrow as pa

    return pa.int64() if c in ("group", "occurrences", "forms", "files", "variants") else pa.string()
