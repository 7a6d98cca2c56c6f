"""The WhatsApp assistant: read a member's message, act on it through the booking services,
build the replies. No Qt, no HTTP.

The conversation (database, inside the sync worker's one transaction per inbound event):

- `conversation.handle_inbound(session, payload, now=)`: the worker's event handler; records
  the event, keeps the dialog state (`dialog`, 30-minute expiry), routes to `handlers_booking`,
  `handlers_waitlist` and `handlers_account`, queues replies with keys derived from the wamid.
- `notify.notify_waitlist(session, now=)`: each sync round, tells members about held seats and
  automatic bookings (free-form inside 24 h, else the `waitlist_offer` / `waitlist_booked`
  templates documented there).

The pure half (no database), which the conversation calls:

- `understand.understand(text, now=, tz=, services=[ServiceName...], default_language=)` →
  `Understanding(intent, language, service_id, when, target_when, option, confidence)`;
  `when`/`target_when` are `dates.When` (a day or day range, optional clock time or part of
  day, `.start`/`.end` aware in the studio's timezone).
- `replies`: the texts, in English or Turkish (`say(Msg.X, lang, **params)` and helpers such
  as `booked`, `balance`, `no_entitlement`, `option_title`).
- `messages`: outbound bodies in the relay's outbox shape (`text`, `buttons`, `list_message`,
  `choices`, `template`), always inside WhatsApp's limits.
"""
