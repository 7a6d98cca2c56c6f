"""Staff users: PINs hashed with a salt, sign-in, PIN changes, and the last owner stays."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from desk.domain.enums import StaffRole
from desk.domain.errors import Duplicate, InvalidInput, NotAllowed, SignInFailed
from desk.services import staff
from desk.services.actor import SYSTEM, Actor
from desk.store.db import Database
from desk.store.models import AuditEntry, StaffUser

Unchanged = Callable[[], Callable[[], None]]


def first_owner(db: Database) -> Actor:
    with db.write() as s:
        assert staff.needs_first_owner(s)
        staff.create_staff(s, name="Owner", role=StaffRole.OWNER, pin="1234", actor=SYSTEM)
        return staff.sign_in(s, name="Owner", pin="1234").actor


def test_pin_is_stored_salted_and_hashed(db: Database) -> None:
    owner = first_owner(db)
    with db.write() as s:
        staff.create_staff(s, name="Desk", role=StaffRole.RECEPTION, pin="1234", actor=owner)
    with db.read() as s:
        hashes = list(s.scalars(select(StaffUser.pin_hash)))
    assert len(hashes) == 2
    assert all("1234" not in h and h.startswith("scrypt$") for h in hashes)
    assert hashes[0] != hashes[1], "same PIN, different salt, different hash"


def test_sign_in_right_and_wrong(db: Database) -> None:
    owner = first_owner(db)
    with db.write() as s:
        desk = staff.create_staff(
            s, name="Front Desk", role=StaffRole.RECEPTION, pin="0000", actor=owner
        )
    with db.write() as s:
        signed = staff.sign_in(s, name="  front   desk ", pin="0000")
    assert (signed.id, signed.name, signed.role) == (desk.id, "Front Desk", StaffRole.RECEPTION)
    for name, pin in (("Front Desk", "0001"), ("Nobody", "0000"), ("Front Desk", "")):
        with pytest.raises(SignInFailed, match="Wrong name or PIN"), db.write() as s:
            staff.sign_in(s, name=name, pin=pin)
    with db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == desk.id)))
    assert actions.count("staff.sign_in") == 1


def test_inactive_staff_cannot_sign_in(db: Database) -> None:
    owner = first_owner(db)
    with db.write() as s:
        desk = staff.create_staff(s, name="Desk", role=StaffRole.RECEPTION, pin="0000", actor=owner)
        staff.update_staff(s, staff_user_id=desk.id, actor=owner, active=False)
    with pytest.raises(SignInFailed), db.write() as s:
        staff.sign_in(s, name="Desk", pin="0000")
    with db.read() as s:
        assert [u.name for u in staff.list_staff(s)] == ["Owner"]
        assert len(staff.list_staff(s, include_inactive=True)) == 2


def test_bad_staff_input_writes_nothing(db: Database, unchanged: Unchanged) -> None:
    owner = first_owner(db)
    with db.write() as s:
        desk = staff.create_staff(s, name="Desk", role=StaffRole.RECEPTION, pin="0000", actor=owner)
    check = unchanged()
    for pin in ("12", "abcd", "123456789", "12 34", "١٢٣٤"):
        with pytest.raises(InvalidInput, match="4 to 8 digits"), db.write() as s:
            staff.create_staff(s, name="New", role=StaffRole.TRAINER, pin=pin, actor=owner)
    with pytest.raises(Duplicate), db.write() as s:
        staff.create_staff(s, name="desk", role=StaffRole.TRAINER, pin="1111", actor=owner)
    with pytest.raises(InvalidInput), db.write() as s:
        staff.create_staff(s, name=" ", role=StaffRole.TRAINER, pin="1111", actor=owner)
    with pytest.raises(NotAllowed), db.write() as s:
        staff.create_staff(s, name="New", role=StaffRole.OWNER, pin="1111", actor=desk_actor(desk))
    check()


def desk_actor(view: staff.StaffView) -> Actor:
    return Actor.staff(view.id, view.role, view.name)


def test_change_own_pin_needs_the_current_one(db: Database) -> None:
    owner = first_owner(db)
    with db.write() as s:
        desk = staff.create_staff(s, name="Desk", role=StaffRole.RECEPTION, pin="0000", actor=owner)
    me = desk_actor(desk)
    with pytest.raises(SignInFailed), db.write() as s:
        staff.change_pin(s, staff_user_id=desk.id, new_pin="4321", actor=me, current_pin="9999")
    with pytest.raises(NotAllowed), db.write() as s:
        staff.change_pin(s, staff_user_id=owner.staff_user_id or 0, new_pin="4321", actor=me)
    with db.write() as s:
        staff.change_pin(s, staff_user_id=desk.id, new_pin="4321", actor=me, current_pin="0000")
    with db.write() as s:
        assert staff.sign_in(s, name="Desk", pin="4321").id == desk.id
        # an owner resets someone's forgotten PIN without knowing it
        staff.change_pin(s, staff_user_id=desk.id, new_pin="5555", actor=owner)
    with db.write() as s:
        assert staff.sign_in(s, name="Desk", pin="5555").id == desk.id


def test_the_last_owner_cannot_be_removed(db: Database, unchanged: Unchanged) -> None:
    owner = first_owner(db)
    owner_id = owner.staff_user_id or 0
    check = unchanged()
    with pytest.raises(NotAllowed, match="only owner"), db.write() as s:
        staff.update_staff(s, staff_user_id=owner_id, actor=owner, role=StaffRole.RECEPTION)
    with pytest.raises(NotAllowed, match="only owner"), db.write() as s:
        staff.update_staff(s, staff_user_id=owner_id, actor=owner, active=False)
    check()
    with db.write() as s:
        second = staff.create_staff(
            s, name="Partner", role=StaffRole.OWNER, pin="2222", actor=owner
        )
        view = staff.update_staff(s, staff_user_id=owner_id, actor=owner, role=StaffRole.TRAINER)
    assert view.role is StaffRole.TRAINER
    with pytest.raises(NotAllowed), db.write() as s:
        staff.update_staff(s, staff_user_id=second.id, actor=desk_actor(second), active=False)


def test_verify_pin_rejects_malformed_hashes() -> None:
    assert staff.verify_pin("1234", staff.hash_pin("1234"))
    assert not staff.verify_pin("1234", "plain-1234")
    assert not staff.verify_pin("1234", "bcrypt$1$2$3$00$00")
