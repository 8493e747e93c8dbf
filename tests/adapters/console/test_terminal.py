"""The real `backlinks console` in a pseudo-terminal (pexpect), as a person at a keyboard uses it:
line editing and history, Ctrl-C and Ctrl-D, the pending question after `help`, wrapping."""

from __future__ import annotations

import signal
import subprocess
import time

import pexpect
import pytest
from processes import BACKLINKS
from support import TYPED_ANSWERS
from terminal import BYE, PROMPT, UP, ask, console, ended, environment, history_file

FIRST_QUESTION = r"1/[0-9]+  Which site is this plan for\?"


def test_the_up_arrow_recalls_the_previous_line_even_in_a_later_session(tmp_path):
    child = console(tmp_path)
    assert "There is no plan for this channel yet." in ask(child, "show")
    child.send(UP + "\r")  # arrow up, Enter: `show` again
    child.expect(PROMPT)
    again = child.before.replace("\r\n", "\n")
    assert "^[[A" not in again
    assert "There is no plan for this channel yet." in again
    child.sendline("quit")
    ended(child)

    history = history_file(tmp_path).read_text()
    assert history.split() == ["show", "quit"]  # a repeated line is kept once

    later = console(tmp_path)
    later.send(UP + UP + "\r")  # quit, then show
    later.expect(PROMPT)
    assert "There is no plan for this channel yet." in later.before
    later.sendline("quit")
    ended(later)


def first_question(child: pexpect.spawn) -> None:
    """Start a plan and wait for readline's prompt under its first question (not any earlier `> `)."""
    child.sendline("plan")
    child.expect(FIRST_QUESTION)
    child.expect(PROMPT)


def interrupted(child: pexpect.spawn) -> tuple[float | None, str]:
    """Type half an answer, no Enter, then Ctrl-C: seconds until the goodbye (None if it never came),
    and what was printed after the prompt."""
    child.send("exam")
    started = time.monotonic()
    child.sendintr()
    if child.expect([BYE, pexpect.EOF, pexpect.TIMEOUT], timeout=10) != 0:
        child.close(force=True)
        return None, child.before
    took = time.monotonic() - started
    after = child.before + BYE + ended(child)
    return took, after


@pytest.mark.parametrize("inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["sigint-default", "sigint-ignored"])
def test_ctrl_c_leaves_at_once_with_the_goodbye(tmp_path, inherited):
    child = console(tmp_path, sigint=inherited)
    first_question(child)
    started = time.monotonic()
    took, out = interrupted(child)
    assert took is not None, f"no goodbye after Ctrl-C; printed: {out!r}"
    assert took < 2, took
    assert time.monotonic() - started < 2 + 1  # and the process is gone too
    assert "Traceback" not in out and "KeyboardInterrupt" not in out


def test_ctrl_c_right_after_a_key_leaves_every_time(tmp_path):
    # Ctrl-C landing between Python seeing a key and readline reading it hung the console (the
    # terminal threw the key away; readline waited for it): about 1 run in 4 on a busy machine.
    runs = 12
    taken: list[float] = []
    hung: list[str] = []
    for _ in range(runs):
        child = console(tmp_path)  # one database for all the runs: only the first makes it
        first_question(child)
        took, out = interrupted(child)
        if took is None or took >= 2:
            hung.append(f"{took}: {out!r}")
        else:
            taken.append(took)
            assert "Traceback" not in out and "KeyboardInterrupt" not in out
    assert not hung, f"{len(hung)} of {runs} runs missed the goodbye within 2 s: {hung}"
    print(f"{runs} runs, goodbye after at most {max(taken):.2f} s")


def test_ctrl_d_says_goodbye_on_a_line_of_its_own(tmp_path):
    child = console(tmp_path)
    child.sendeof()
    child.expect(BYE, timeout=5)
    assert child.before == "\r\n"  # right after the prompt: the goodbye starts a new line
    ended(child)


def test_help_in_the_middle_of_a_plan_asks_the_question_again(tmp_path):
    child = console(tmp_path)
    ask(child, "plan")
    ask(child, "example.com")
    out = ask(child, "help")
    assert out.startswith("Backlinks bot commands")
    asked = out.rstrip().split("\n\n")
    # The question again, at the end: its prompt, its choices, why and an example.
    prompt = next(i for i, block in enumerate(asked) if block.startswith(f"2/{len(TYPED_ANSWERS)}  What kind of site"))
    assert asked[prompt + 1].startswith("Choose by number or name: 1 local business")
    assert asked[-1].startswith("Why: ")
    assert "Backlink plan" not in out
    child.sendline("quit")
    ended(child)


@pytest.mark.parametrize("columns", [60, 120])
def test_replies_are_wrapped_to_the_terminal_and_no_word_is_broken(tmp_path, columns):
    # The plan is made through a pipe first (no terminal: no wrapping), which also gives the text
    # of `show` and `why` unwrapped to compare with.
    script = ["plan", *(typed for _, typed in TYPED_ANSWERS), "show", "why"]
    piped = subprocess.run(
        [BACKLINKS, "console", "--database", str(tmp_path / "chat.db"), "--user", "tester"],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(tmp_path),
    ).stdout
    unwrapped = piped[piped.rindex("Backlink plan for example.com") : piped.rindex("Bye.")]
    assert max(map(len, unwrapped.splitlines())) > 120, "the text needs wrapping at both widths"

    child = console(tmp_path, columns=columns)
    wrapped = ask(child, "show") + ask(child, "why")
    child.sendline("quit")
    ended(child)

    for line in wrapped.splitlines():
        # Only a single word longer than the line (a URL) may go past the edge, and it stays whole.
        assert len(line) <= columns or len(line.split()) == 1, line
    assert wrapped.split() == unwrapped.split(), "wrapping changed only where lines break"
    assert "\n  - " in wrapped and "\n    " in wrapped  # bullets keep their indent when wrapped
