"""The advice: the knowledge files loaded and checked, the pure planner (`plan(answers, knowledge)`),
the safe pace and capacity models, the checklist, the report, and the planning conversation
(`commands`: plan, show, why, back, skip, cancel) that plugs into the engine.
"""
