"""Data, not code: questions, planner parameters with sources, checklist, strategies, templates."""
