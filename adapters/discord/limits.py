"""Discord's limits on what the bot sends, recorded once, each with where Discord states it.

The renderer and the buttons, forms and commands keep within these, and the tests' Discord stand-in
refuses what goes past them (tests/helpers/discord_spec.py) — with or without Discord's OpenAPI spec
beside the repo: the spec encodes many of them field by field, but not all (the 6,000 over a
message's embeds is in no schema), and a clone on its own has no spec at all. A limit that changes
on Discord's side is changed here, and both follow.

Pages are under https://discord.com/developers/docs/.
"""

from __future__ import annotations

# -- a message ------------------------------------------------------------------------------------

# "the message contents (up to 2000 characters)" (resources/message#create-message). The OpenAPI
# schema of a channel message allows 4,000; the documented 2,000 is the one kept to.
MESSAGE_CONTENT = 2000
MESSAGE_EMBEDS = 10  # "Up to 10 embeds" a message (resources/message#create-message)
# Over all the embeds of one message: titles, descriptions, field names and values, footer texts and
# author names together (resources/message#embed-object-embed-limits).
EMBEDS_TOTAL = 6000
MESSAGE_FILES = 10  # files[n] parts in one request (reference#uploading-files)
UPLOAD_BYTES = 10 * 1024 * 1024  # a file without boosts: 10 MiB since 2024 (reference#uploading-files)
ATTACHMENT_DESCRIPTION = 1024  # an attachment's description, its alt text (resources/message#attachment-object)

# -- an embed (resources/message#embed-object-embed-limits) ---------------------------------------

EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
AUTHOR_NAME = 256

# -- components (components/reference) ------------------------------------------------------------

# Action rows in a message without the components-v2 flag, and in a modal (components/reference#action-row).
ACTION_ROWS = 5
ROW_BUTTONS = 5  # buttons in one action row (components/reference#action-row)
BUTTON_LABEL = 80  # a button's label (components/reference#button)
CUSTOM_ID = 100  # any component's or modal's custom_id (components/reference#anatomy-of-a-component-custom-id)

# -- modals (interactions/receiving-and-responding#interaction-response-object-modal) -------------

MODAL_TITLE = 45
# A text input's label (components/reference#text-input), or the label component around it in newer
# modals (components/reference#label).
TEXT_INPUT_LABEL = 45
# A text input's pre-filled value, and the most its max_length may be (components/reference#text-input).
TEXT_INPUT_VALUE = 4000
TEXT_INPUT_PLACEHOLDER = 100  # (components/reference#text-input)

# -- application commands (interactions/application-commands) -------------------------------------

COMMAND_CHOICES = 25  # choices of one option (#application-command-object-application-command-option-structure)
CHOICE_NAME = 100  # a choice's name (#application-command-object-application-command-option-choice-structure)
