"""The advice: the knowledge files loaded and checked, the pure planner (`plan(answers, knowledge)`),
the safe pace and capacity models, the checklist, the report, and the planning conversation that
plugs into the engine: `commands` (plan, show, why) over `chat` (back, skip, cancel), `forms`, the
draft in progress (`drafts`) and the figures a provider looks up (`figures`).
"""
