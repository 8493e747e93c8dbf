"""Keeping people at it: reminder schedules and due dates (`schedule`, pure), logged progress and
how the plan adapts to it (`progress`, pure), the reminder loop that claims due rows and hands each
check-in to a platform's notifier (`reminders`), and the capability (`commands`) made of `remind`,
`log`, `checkin` (the message itself), `summary` (progress read back) and the charts they share.
"""
