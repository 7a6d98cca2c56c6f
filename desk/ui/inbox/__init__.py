"""The WhatsApp Inbox screen: conversations by member, the thread, the balance, a reply box."""

from desk.ui.inbox.view import InboxView

__all__ = ["InboxView"]
