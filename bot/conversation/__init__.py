"""Talking with people, whatever the platform: the questionnaire as data with its pure validators,
the neutral views of every reply, and their rendering (jinja2 templates, each platform's escaping).
A new question is a row in knowledge/questions.yaml; a new kind of answer is a validator here.
"""
