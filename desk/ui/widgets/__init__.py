"""Small shared widgets: inline errors, badges, empty states, confirmations."""
