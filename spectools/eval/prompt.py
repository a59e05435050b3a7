"""A spec example as the chat messages sent to the model under test (docs/eval.md has the rules).

- system, developer, user and assistant messages keep their roles. A server without the developer
  role (most local servers) takes `developer_role="system"`.
- A message's `<settings>` become `key: value` lines at the top of its text, as the platform would
  put them; `<untrusted>` stays in the text, tags and all, so the model sees what is data.
- A tool message has no call to answer in chat completions, so it is sent as a user message that
  says which tool it came from: `[tool output: browser]` and the output.
- The prompt is the conversation up to the first `<comparison>`; with none, up to its last
  message that is not the assistant's (a reply shown in the example is never sent as a prompt).
"""

from __future__ import annotations

from typing import Any

from spectools.model import Comparison, Example, Message


def content(message: Message) -> str:
    """The message's text as the model sees it: its settings first, then its text."""
    settings = "\n".join(f"{key}: {value}" for key, value in message.settings.items())
    return f"{settings}\n\n{message.text}".strip() if settings else message.text


def chat_message(message: Message, developer_role: str = "developer") -> dict[str, Any]:
    if message.role == "tool":
        name = message.attributes.get("name") or message.attributes.get("recipient") or "tool"
        return {"role": "user", "content": f"[tool output: {name}]\n{content(message)}"}
    role = developer_role if message.role == "developer" else message.role
    return {"role": role, "content": content(message)}


def prompt(example: Example) -> list[Message]:
    """The messages of the example that make the prompt, in order."""
    turns: list[Message] = []
    for turn in example.turns:
        if isinstance(turn, Comparison):
            return turns
        turns.append(turn)
    while turns and turns[-1].role == "assistant":
        turns.pop()
    return turns


def messages(example: Example, developer_role: str = "developer") -> list[dict[str, Any]]:
    """The chat-completions `messages` for the example's prompt (empty when it has none)."""
    return [chat_message(m, developer_role) for m in prompt(example)]
