"""Reusable widgets: the vim-keyed table, the status line, the change feed."""
