"""Backlinks bot's platform-neutral core, ground floor first (a module imports from its own floor or
below; tests/test_architecture.py holds it to that and lists the few joints still to cut):

    core/          events, replies, the plan's shape, settings, plug-ins  what every room stands on
    storage/       store, reminder/progress stores, schema, group commit, migrations
    intake/        form submissions: stored before their ack, worked from a queue, drained at a stop
    conversation/  questionnaire, validators, views, rendering
    planning/      knowledge, planner, pace, capacity, checklist, report; plan/show/why commands
    monthly/       schedule, progress, the reminder loop; remind/log commands
    exports/       reading and profiling exports; the import command
    engine.py      the router: composes the capabilities' commands, forms and buttons
    app/           cli, serve, build (the one engine for every entry point)  the top floor

A capability's `commands` module plugs its commands, forms and buttons into the engine
(`core/feature.py`) and is handed the store and knowledge; it never imports the engine. Platform
SDKs live in adapters/, never here.
"""
