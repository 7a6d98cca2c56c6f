"""The WhatsApp conversation's pure half: read a member's message, build the replies.

No database, no Qt, no HTTP. The conversation layer (dialog state, booking services) calls:

- `understand.understand(text, now=, tz=, services=[ServiceName...], default_language=)` →
  `Understanding(intent, language, service_id, when, target_when, option, confidence)`;
  `when`/`target_when` are `dates.When` (a day or day range, optional clock time or part of
  day, `.start`/`.end` aware in the studio's timezone).
- `replies`: the texts, in English or Turkish (`say(Msg.X, lang, **params)` and helpers such
  as `booked`, `balance`, `no_entitlement`, `option_title`).
- `messages`: outbound bodies in the relay's outbox shape (`text`, `buttons`, `list_message`,
  `choices`, `template`), always inside WhatsApp's limits.
"""
