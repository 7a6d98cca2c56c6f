"""Who is acting: a signed-in staff user, a member over WhatsApp, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from desk.domain.enums import StaffRole
from desk.domain.errors import NotAllowed


@dataclass(frozen=True)
class Actor:
    label: str
    staff_user_id: int | None = None
    role: StaffRole | None = None

    @classmethod
    def staff(cls, staff_user_id: int, role: StaffRole, name: str = "") -> Actor:
        return cls(label=name or f"staff:{staff_user_id}", staff_user_id=staff_user_id, role=role)

    @classmethod
    def whatsapp(cls, wa_id: str) -> Actor:
        return cls(label=f"whatsapp:{wa_id}")

    @classmethod
    def system(cls) -> Actor:
        return cls(label="system")

    @property
    def is_staff(self) -> bool:
        return self.staff_user_id is not None

    def require(self, *roles: StaffRole, doing: str) -> None:
        """Refuse unless the actor is staff with one of `roles` (system actors may do anything)."""
        if self.label == "system":
            return
        if self.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise NotAllowed(f"Only {allowed} staff can {doing}.")


SYSTEM = Actor.system()
