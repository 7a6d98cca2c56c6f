"""Members: adding, editing, finding by name or phone, and refusing bad input cleanly."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from desk.domain.errors import Duplicate, InvalidInput, InvalidPhone, NotAllowed, NotFound
from desk.services import members, settings
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import AuditEntry, Member

Unchanged = Callable[[], Callable[[], None]]


def add(db: Database, actor: Actor, name: str, phone: str | None, **kw: object) -> int:
    with db.write() as s:
        return members.add_member(s, full_name=name, phone=phone, actor=actor, **kw).id


def test_add_normalises_phone_and_name_and_audits(db: Database, reception: Actor) -> None:
    with db.write() as s:
        m = members.add_member(
            s, full_name="  Ayşe   Yılmaz ", phone="0532 123 45 67", actor=reception
        )
    assert m.full_name == "Ayşe Yılmaz"
    assert m.phone == "+905321234567"
    assert m.whatsapp_id == "905321234567"
    assert m.phone_display == "+90 532 123 45 67"
    with db.read() as s:
        row = s.get(Member, m.id)
        assert row is not None and row.search_name == "ayse yilmaz"
        audit = s.scalars(select(AuditEntry).where(AuditEntry.entity == "member")).one()
        assert audit.action == "member.add" and audit.staff_user_id == reception.staff_user_id
        assert json.loads(audit.detail)["name"] == "Ayşe Yılmaz"


@pytest.mark.parametrize("typed", ["+90 532 123 45 67", "05321234567", "(532) 123-4567"])
def test_duplicate_phone_in_any_format_is_refused(
    db: Database, reception: Actor, unchanged: Unchanged, typed: str
) -> None:
    add(db, reception, "Ayşe Yılmaz", "0532 123 45 67")
    check = unchanged()
    with pytest.raises(Duplicate, match="already belongs to Ayşe Yılmaz"), db.write() as s:
        members.add_member(s, full_name="Someone Else", phone=typed, actor=reception)
    check()


@pytest.mark.parametrize("bad", ["12", "not a number", "+90 123", "0532 123 45"])
def test_invalid_phone_is_refused(
    db: Database, reception: Actor, unchanged: Unchanged, bad: str
) -> None:
    check = unchanged()
    with pytest.raises(InvalidPhone), db.write() as s:
        members.add_member(s, full_name="Can Demir", phone=bad, actor=reception)
    check()


def test_other_bad_inputs_write_nothing(
    db: Database, reception: Actor, trainer_user: Actor, unchanged: Unchanged
) -> None:
    check = unchanged()
    with pytest.raises(InvalidInput, match="name"), db.write() as s:
        members.add_member(s, full_name="   ", phone="05321234567", actor=reception)
    with pytest.raises(InvalidInput, match="email"), db.write() as s:
        members.add_member(s, full_name="Can", phone="05321234567", email="nope", actor=reception)
    with pytest.raises(NotAllowed), db.write() as s:
        members.add_member(s, full_name="Can", phone="05321234567", actor=trainer_user)
    check()


def test_studio_region_decides_numbers_without_country_code(db: Database, owner: Actor) -> None:
    with db.write() as s:
        settings.update_policy(s, actor=owner, phone_region="DE")
        m = members.add_member(s, full_name="Jana Weber", phone="030 1234567", actor=owner)
    assert m.phone == "+49301234567"


def test_member_without_phone_is_allowed(db: Database, reception: Actor) -> None:
    with db.write() as s:
        m = members.add_member(s, full_name="Walk In", phone=None, actor=reception)
    assert m.phone is None and m.whatsapp_id is None


def test_search_by_name_prefix_ignores_case_and_accents(db: Database, reception: Actor) -> None:
    add(db, reception, "Ayşe Yılmaz", "05321234567")
    add(db, reception, "Ayla Kaya", "05321234568")
    add(db, reception, "Şule Işık", "05321234569")
    add(db, reception, "Mehmet Ayhan", "05321234570")
    with db.read() as s:
        assert [m.full_name for m in members.search(s, "AYŞ")] == ["Ayşe Yılmaz"]
        assert [m.full_name for m in members.search(s, "ay")] == [
            "Ayla Kaya",
            "Ayşe Yılmaz",
            "Mehmet Ayhan",  # a later word matches too, after the full-name matches
        ]
        assert [m.full_name for m in members.search(s, "sule")] == ["Şule Işık"]
        assert [m.full_name for m in members.search(s, "isi")] == ["Şule Işık"]
        assert [m.full_name for m in members.search(s, "yil")] == ["Ayşe Yılmaz"]
        assert members.search(s, "zz") == []
        assert members.search(s, "   ") == []
        assert len(members.search(s, "a", limit=2)) == 2


def test_search_by_phone_in_any_format(db: Database, reception: Actor) -> None:
    add(db, reception, "Ayşe Yılmaz", "05321234567")
    add(db, reception, "Can Demir", "05559876543")
    with db.read() as s:
        for typed in ("+90 532 123 45 67", "0532-123-4567", "5321234567", "4567"):
            assert [m.full_name for m in members.search(s, typed)] == ["Ayşe Yılmaz"], typed
        assert [m.full_name for m in members.search(s, "+90 555 987 65 43")] == ["Can Demir"]
        assert members.search(s, "12") == []


def test_name_search_uses_the_index(db: Database, reception: Actor) -> None:
    add(db, reception, "Ayşe Yılmaz", "05321234567")
    with db.read() as s:
        key = "ay"
        plan = (
            s.connection()
            .exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM members WHERE search_name BETWEEN ? AND ? "
                "AND archived = 0 ORDER BY search_name LIMIT 20",
                (key, key + "\U0010ffff"),
            )
            .all()
        )
    assert any("ix_members_search_name" in str(row) for row in plan), plan


def test_archived_members_leave_search_but_keep_their_phone(db: Database, reception: Actor) -> None:
    member_id = add(db, reception, "Ayşe Yılmaz", "05321234567")
    with db.write() as s:
        members.archive_member(s, member_id=member_id, actor=reception)
    with db.read() as s:
        assert members.search(s, "ayse") == []
        assert [m.id for m in members.search(s, "ayse", include_archived=True)] == [member_id]
    with pytest.raises(Duplicate, match="archived"), db.write() as s:
        members.add_member(s, full_name="New", phone="05321234567", actor=reception)
    with db.write() as s:
        members.archive_member(s, member_id=member_id, actor=reception, archived=False)
        assert [m.id for m in members.search(s, "ayse")] == [member_id]


def test_edit_member_renormalises_and_refuses_duplicates(
    db: Database, reception: Actor, unchanged: Unchanged
) -> None:
    first = add(db, reception, "Ayşe Yılmaz", "05321234567")
    second = add(db, reception, "Can Demir", "05559876543")
    with db.write() as s:
        m = members.edit_member(
            s, member_id=first, actor=reception, full_name="Ayşe Kaya", phone="+90 532 000 11 22"
        )
    assert (m.full_name, m.phone) == ("Ayşe Kaya", "+905320001122")
    with db.read() as s:
        assert [x.id for x in members.search(s, "ayse k")] == [first]
    check = unchanged()
    with pytest.raises(Duplicate), db.write() as s:
        members.edit_member(s, member_id=second, actor=reception, phone="0532 000 11 22")
    with pytest.raises(InvalidPhone), db.write() as s:
        members.edit_member(s, member_id=second, actor=reception, phone="123")
    with pytest.raises(InvalidInput, match="Cannot change"), db.write() as s:
        members.edit_member(s, member_id=second, actor=reception, archived=True)
    with pytest.raises(NotFound), db.write() as s:
        members.edit_member(s, member_id=9999, actor=reception, notes="x")
    check()
    with db.read() as s:
        assert members.get_member(s, member_id=second).phone == "+905559876543"


def test_find_by_whatsapp_by_id_or_by_phone(db: Database, reception: Actor) -> None:
    first = add(db, reception, "Ayşe Yılmaz", "05321234567")
    second = add(db, reception, "Can Demir", "05559876543", whatsapp_id="4915112345678")
    with db.read() as s:
        found = members.find_by_whatsapp(s, "905321234567")
        assert found is not None and found.id == first
        other = members.find_by_whatsapp(s, "4915112345678")
        assert other is not None and other.id == second
        # Can's phone is not his WhatsApp, but the number still identifies him.
        by_phone = members.find_by_whatsapp(s, "905559876543")
        assert by_phone is not None and by_phone.id == second
        assert members.find_by_whatsapp(s, "905000000000") is None
        assert members.find_by_whatsapp(s, "") is None


def test_consent_and_notes(db: Database, reception: Actor, trainer_user: Actor) -> None:
    member_id = add(db, reception, "Ayşe Yılmaz", "05321234567")
    with db.write() as s:
        members.set_whatsapp_consent(
            s, member_id=member_id, consent=True, actor=Actor.whatsapp("905321234567")
        )
        m = members.add_note(s, member_id=member_id, text="knee injury", actor=trainer_user)
    assert m.whatsapp_consent is True
    assert m.notes.endswith("Coach: knee injury")
    with pytest.raises(NotAllowed), db.write() as s:
        members.set_whatsapp_consent(
            s, member_id=member_id, consent=False, actor=Actor.whatsapp("900000000000")
        )
    with pytest.raises(InvalidInput), db.write() as s:
        members.add_note(s, member_id=member_id, text="  ", actor=trainer_user)
    with db.read() as s:
        assert members.get_member(s, member_id=member_id).whatsapp_consent is True


def test_list_members_a_to_z_in_pages(db: Database, reception: Actor) -> None:
    for index, name in enumerate(["Zeynep Kaya", "ayla demir", "Şule Işık", "Can Öz"]):
        add(db, reception, name, f"0532123456{index}")
    archived = add(db, reception, "Berk Arslan", "05321234570")
    with db.write() as s:
        members.archive_member(s, member_id=archived, actor=reception)
    with db.read() as s:
        names = [m.full_name for m in members.list_members(s)]
        assert names == ["ayla demir", "Can Öz", "Şule Işık", "Zeynep Kaya"]
        page = members.list_members(s, offset=1, limit=2)
        assert [m.full_name for m in page] == ["Can Öz", "Şule Işık"]
        assert len(members.list_members(s, include_archived=True)) == 5
        assert members.count_members(s) == 4
        assert members.count_members(s, include_archived=True) == 5
