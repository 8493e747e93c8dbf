"""Asking for help the way people do, in the real console: the commands are English words, but
"Hilfe", "aide", "ayuda" or "what can you do?" get the help, in the channel's language."""

from __future__ import annotations

import pytest
from processes import console


@pytest.mark.parametrize(
    ("language", "typed", "heading"),
    [
        ("en", "what can you do?", "Backlinks bot commands"),
        ("de", "Hilfe", "Befehle von Backlinks bot"),
        ("fr", "aide", "Commandes de Backlinks bot"),
        ("es", "¿ayuda?", "Comandos de Backlinks bot"),
    ],
)
def test_help_asked_for_in_words_or_in_the_channels_language_is_the_help(tmp_path, language, typed, heading):
    done = console(tmp_path / "chat.db", [f"language {language}", typed, "quit"])
    assert done.returncode == 0, done.stderr
    assert heading in done.stdout and "nicht verstanden" not in done.stdout, done.stdout
