"""What `pianchai score` prints when it ends: the counts, then the files that could not be
scored (the first few, with stage and reason, and where the full list is), so a failure never
hides behind a count."""
from __future__ import annotations

from reports.messages import reader_error, stage_name, t


def errors_location(output: str) -> str:
    """Where the output keeps its error rows, as a person would look for them."""
    from batch.sink import output_format, table_paths

    fmt = output_format(output)
    if fmt == "csv":
        return t("score.where_csv", path=table_paths(output)["errors"])
    if fmt == "xlsx":
        return t("score.where_xlsx", path=output, sheet=t("score_table.errors"))
    return t("score.where_parquet", path=f"{output.rstrip('/')}/errors/")


def summary_lines(stats) -> list[str]:
    line = t("score.line", files=stats.files, forms=stats.forms, indicators=stats.indicators,
             errors=stats.errors)
    if stats.skipped:
        line += t("score.skipped", n=stats.skipped)
    if stats.retried:
        line += t("score.retried", n=stats.retried)
    if stats.duplicates:
        line += t("score.duplicates", n=stats.duplicates)
    lines = [line]
    if stats.output_errors:
        where = errors_location(stats.output)
        lines.append(t("score.failed_head", n=stats.output_errors))
        for row in stats.failed:
            lines.append(f"  {row['file']}  [{stage_name(row['stage'] or '?')}] "
                         f"{reader_error(row['message'] or '')}")
        if stats.output_errors > len(stats.failed):
            lines.append("  " + t("score.failed_more", n=stats.output_errors - len(stats.failed), where=where))
        lines.append(t("score.output_has_errors", n=stats.output_errors, where=where))
    return lines
