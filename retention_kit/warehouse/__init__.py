"""The single customer view: exports loaded into DuckDB, checked with pandera, cleaned and joined with SQL.

``quality`` holds the pandera schemas of the exports and the report of what they find; ``sql`` the
steps that clean and join them and the data dictionary; ``database`` the DuckDB file and the calls
that load, run and read it; ``impact`` each metric from the raw exports, fix by fix; ``explorer`` the
lesson's explorer of those fixes (imported on first use, with ipywidgets). DuckDB and pandera are imported on first use.
"""
from .database import build_single_view, create_warehouse, load_sources, row_counts, run_step, show_sql, table
from .impact import FIXES, IMPACT_METRICS, metric_impact
from .quality import customer_number, quality_report, source_schemas
from .sql import DICTIONARY, STEPS

__all__ = ["create_warehouse", "load_sources", "run_step", "show_sql", "build_single_view", "table", "row_counts",
           "customer_number", "quality_report", "source_schemas", "metric_impact", "STEPS", "DICTIONARY",
           "FIXES", "IMPACT_METRICS"]
