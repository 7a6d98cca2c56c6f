"""Studio Desk WhatsApp relay: the small hosted service between WhatsApp and the desk.

Self-contained on purpose (it is deployed on its own): it imports nothing from `desk`.
"""

__version__ = "0.1.0"
