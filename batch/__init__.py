"""Bulk scoring: many files → a form table, an indicator table and an error table.

`batch.rows` does the work for one file (pure, picklable results), `batch.sink` streams results
to disk and writes the final output, `batch.score` spreads files over local processes,
`batch.dask_run` over a Dask cluster, `batch.dedupe` finds boilerplate explanations.
See batch/README.md.
"""
