"""Keeping people at it: reminder schedules and due dates (`schedule`, pure), logged progress and
how the plan adapts to it (`progress`, pure), the reminder loop that claims due rows and hands each
check-in to a platform's notifier (`reminders`), and the `remind`/`log` commands (`commands`).
"""
