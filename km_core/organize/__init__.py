"""File organisation: rules, plans, safe moves with a journal, change logs and undo."""
