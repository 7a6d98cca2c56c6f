"""The WhatsApp conversation: read a member's message, build the replies. No Qt, no HTTP."""
