"""The names of the live channels several domains publish on."""

# Managers' alerts (a low rating on the feedback page): the admin dashboard follows it.
MANAGER_ALERTS = "alerts:managers"


def event_channel(event_id: int) -> str:
    """An event's live channel: its scans (numbered), and alerts about its guests."""
    return f"event:{event_id}"
