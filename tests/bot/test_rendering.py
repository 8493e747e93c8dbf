"""Texts rendered once and kept (bot/conversation/rendering.py) read exactly as rendered afresh."""

from __future__ import annotations

from plan_reading import KNOWLEDGE

from bot.conversation.rendering import PLAIN, Renderer
from bot.core.replies import text


def test_a_kept_text_is_the_same_and_other_values_are_rendered_anew():
    renderer, fresh = Renderer(KNOWLEDGE, PLAIN), Renderer(KNOWLEDGE, PLAIN)
    said = [
        text("plan.noted", name="Hours", value="40"),
        text("plan.noted", name="Hours", value="40"),  # kept from the line above
        text("plan.noted", name="Hours", value="41"),
        text("plan.noted", name="Hours", value=1),
        text("plan.noted", name="Hours", value=True),  # equal to 1, and reads otherwise
        text("plan.noted", name="Hours", value=1.5),
        text("plan.noted", name="Sites", value=["a", "b"]),  # not a plain value: rendered each time
    ]
    assert [renderer.text(t) for t in said] == [fresh.render(t.template, t.values) for t in said]
    assert [renderer.text(t) for t in said][2:5] == ["Noted Hours: 41", "Noted Hours: 1", "Noted Hours: True"]
