"""A reply as terminal text: shared by the chat and the reminders printed beside it."""

from __future__ import annotations

from adapters.console.layout import fill
from bot.conversation.rendering import Renderer
from bot.core.replies import Bullets, Buttons, Fields, File, Heading, Image, Item, Paragraph, Reply


def render(reply: Reply, renderer: Renderer, width: int | None = None) -> str:
    """A reply as terminal text. With a `width` (a terminal), lines are wrapped to it and every block
    stands apart, so a 50-line plan reads as sections; without (a pipe), a paragraph is one line."""
    renderer = renderer.speaking(reply.language)  # the channel's language (bot/languages/)
    lines: list[str] = []
    for block in reply.blocks:
        after_list = lines and lines[-1].startswith("  - ") and not isinstance(block, Bullets)
        titled = isinstance(block, Heading) or (isinstance(block, Bullets) and block.title is not None)
        if lines and (width is not None or after_list or titled) and not isinstance(block, Buttons):
            lines.append("")  # a blank line after a list reads better than prose glued to it
        match block:
            case Heading(text):
                title = fill(renderer.text(text), width)
                lines += [title, "=" * max(map(len, title.splitlines()))]
            case Paragraph(text):
                lines.append(fill(renderer.text(text), width))
            case Fields(items):
                lines += [fill(f"{renderer.text(label)}: {renderer.text(value)}", width) for label, value in items]
            case Bullets(title, items):
                if title is not None:
                    lines.append(fill(renderer.text(title) + ":", width))
                lines += [fill(renderer.text(item), width, first="  - ", rest="    ") for item in items]
            case Item(text, _):
                lines.append(fill(renderer.text(text), width))
            case Buttons():
                pass  # the footer already names the words to type instead
            case File():
                pass  # saved in the working folder and said so (adapters/console/chat.py)
            case Image():
                # A terminal shows no pictures: `show --chart FILE.png` saves it (adapters/console/chat.py).
                lines.append(fill(renderer.render("console.chart_hint"), width))
    return "\n".join(lines).strip("\n")
