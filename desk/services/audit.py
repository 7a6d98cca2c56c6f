"""The audit trail: every write says who did what, when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk.services.actor import Actor
from desk.store.models import AuditEntry
from desk.store.types import utcnow


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    now: datetime | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            at=now or utcnow(),
            staff_user_id=actor.staff_user_id,
            actor=actor.label,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True),
        )
    )
