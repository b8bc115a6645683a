"""The benchmark harness: methods × problems × seeds at one budget (run.py), its results folder (store.py),
and the report people read (report.py)."""
