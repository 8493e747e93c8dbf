"""A message with a picture (the progress chart): one post, the file and the message's blocks together.

Slack's files API in three steps, as slack_sdk's `files_upload_v2` makes them: files.getUploadURLExternal
(the file's name, length and alt text), the bytes POSTed to the URL it gives, then
files.completeUploadExternal, which shares the file into the channel with the message's blocks — so
the chart sits in the check-in, not in a second message. It needs the `files:write` scope; a
workspace installed before the scope was asked for answers `missing_scope`, and gets the message
without the picture until it reinstalls.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.limits import ALT_TEXT
from bot.core.replies import Image

log = logging.getLogger(__name__)

MAX_TITLE = 250
# Errors after which the message goes without its picture (the scope not granted yet, uploads off).
WITHOUT_PICTURE = {"missing_scope", "file_uploads_disabled", "file_uploads_except_images_disabled", "not_allowed"}


async def post_with_image(
    client: AsyncWebClient, channel: str, message: dict[str, Any], image: Image, *, alt: str, title: str
) -> None:
    """Post `message` (text, blocks) with `image` into `channel`; without it if uploads are refused."""
    try:
        await client.files_upload_v2(
            file=image.data,
            filename=image.filename,
            title=title[:MAX_TITLE],
            alt_txt=alt[:ALT_TEXT],
            channel=channel,
            blocks=json.dumps(message["blocks"]),
        )
    except SlackApiError as error:
        if error.response.get("error") not in WITHOUT_PICTURE:
            raise
        log.info("posting without the chart in %s: %s", channel, error.response.get("error"))
        await client.chat_postMessage(channel=channel, **message)
