"""The intake: what the platforms send that must not be lost (form submissions), taken in by every
adapter the same way. Acknowledged means stored; a busy bot stores, it does not refuse.

- `rows`: the inbox table — submissions stored together (group commit), claimed after a crash,
  marked done;
- `service`: `Intake` — accept (the durable write, the only cost before a platform's ack), the
  workers that plan, store and post from it with their own bounded concurrency, and the drain at a
  stop;
- `recovery`: its looking half — rows no process holds (left by a stopped process, or shared by a
  full one) claimed by whichever process serving their platform looks first.
"""

from bot.intake.rows import Entry
from bot.intake.service import ACCEPT_WITHIN, Busy, Intake, Perform

__all__ = ["ACCEPT_WITHIN", "Busy", "Entry", "Intake", "Perform"]
