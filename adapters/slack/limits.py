"""Slack's limits on what the bot sends, recorded once, each with where Slack states it.

The renderers (blocks.py, upload.py) keep within these, and the tests' Slack stand-in refuses what
goes past them (tests/helpers/slack_spec.py) — with or without Slack's Web API spec beside the repo,
because that spec (2021, method arguments only) says nothing about Block Kit. A limit that changes
on Slack's side is changed here, and both follow.

Pages are under https://docs.slack.dev/reference/ unless a full address is given.
"""

from __future__ import annotations

# -- a message ------------------------------------------------------------------------------------

# "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs."
# (block-kit/blocks)
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100  # a modal or an App Home view
# Over all the blocks of one message, the text they carry. Past it chat.postMessage answers
# `msg_blocks_too_long`, a limit Slack does not document for section, header or context blocks. The
# one written figure is the markdown block's: "The cumulative limit for all markdown blocks in a
# single payload is 12,000 characters" (block-kit/blocks/markdown-block). Measured refusals sit just
# above it: at about 13,200 characters over all blocks (13,297 of markdown blocks alone, 13,172 with
# a divider), which a Slack engineer explained as 12,000 text characters plus an allowance for the
# blocks around them (https://github.com/slackapi/bolt-js/issues/2509, labelled server-side-issue;
# the explanation is quoted in https://github.com/slackapi/bolt-js/issues/2867). So 12,000
# characters of text is the budget a message keeps to: under every measured refusal, and what
# Slack's own figure allows.
MESSAGE_BLOCKS_TEXT = 12_000
# A message's `text` (the notification fallback): cut past 40,000 characters
# (https://api.slack.com/changelog/2018-04-truncating-really-long-messages).
MESSAGE_TEXT = 40_000
BLOCK_ID = 255  # any block's block_id (block-kit/blocks)

# -- blocks ---------------------------------------------------------------------------------------

SECTION_TEXT = 3000  # a section's text (block-kit/blocks/section-block)
SECTION_FIELDS = 10  # fields in one section (block-kit/blocks/section-block)
FIELD_TEXT = 2000  # each field's text (block-kit/blocks/section-block)
HEADER_TEXT = 150  # a header's plain_text (block-kit/blocks/header-block)
ACTIONS_ELEMENTS = 25  # elements in an actions block (block-kit/blocks/actions-block)
CONTEXT_ELEMENTS = 10  # elements in a context block (block-kit/blocks/context-block)
INPUT_LABEL = 2000  # an input block's label (block-kit/blocks/input-block)
INPUT_HINT = 2000  # an input block's hint (block-kit/blocks/input-block)

# -- elements -------------------------------------------------------------------------------------

BUTTON_TEXT = 75  # a button's text (block-kit/block-elements/button-element)
BUTTON_VALUE = 2000  # a button's value (block-kit/block-elements/button-element)
BUTTON_URL = 3000  # a link button's url (block-kit/block-elements/button-element)
ACTION_ID = 255  # any interactive element's action_id (block-kit/block-elements/button-element)
PLACEHOLDER = 150  # an element's placeholder (block-kit/block-elements/plain-text-input-element)
# A plain_text_input's max_length is 1 to 3,000, so an initial_value longer than 3,000 could never be
# sent back (block-kit/block-elements/plain-text-input-element).
TEXT_INPUT = 3000
SELECT_OPTIONS = 100  # options in a static select (block-kit/block-elements/select-menu-element)
OPTION_TEXT = 75  # an option's text (block-kit/composition-objects/option-object)
OPTION_VALUE = 150  # an option's value (block-kit/composition-objects/option-object)

# -- views ----------------------------------------------------------------------------------------

# A modal's title, submit and close texts (views/modal-views); an App Home view has none of them.
MODAL_TITLE = 24
CALLBACK_ID = 255  # a view's callback_id (views/modal-views)
PRIVATE_METADATA = 3000  # a view's private_metadata (views/modal-views)

# -- files ----------------------------------------------------------------------------------------

ALT_TEXT = 1000  # files.getUploadURLExternal's alt_txt: "up to 1000 characters" (methods/files.getUploadURLExternal)
