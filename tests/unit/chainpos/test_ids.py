"""Document ids: UUID version 7, time ordered, monotonic within a process."""

from __future__ import annotations

import time
import uuid

from chainpos.ids import new_id, uuid7


def test_uuid7_has_version_seven_and_the_rfc_variant() -> None:
    for _ in range(100):
        made = uuid7()
        assert made.version == 7
        assert made.variant == uuid.RFC_4122
        assert (made.int >> 76) & 0xF == 0x7
        assert (made.int >> 62) & 0b11 == 0b10


def test_uuid7_leads_with_the_unix_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= made.int >> 80 <= after + 1


def test_ids_made_one_after_another_sort_in_creation_order() -> None:
    made = [uuid7() for _ in range(10_000)]  # many share a millisecond
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_string_ids_also_sort_in_creation_order() -> None:
    made = [new_id() for _ in range(5_000)]
    assert made == sorted(made)
    assert all(len(text) == 36 and uuid.UUID(text).version == 7 for text in made)
