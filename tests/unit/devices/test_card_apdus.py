from hypothesis import given
from hypothesis import strategies as st

from devices.card_apdus import (
    MEMBER_AID,
    MemberRecord,
    decode_member_record,
    encode_member_record,
    get_uid_apdu,
    read_binary_apdu,
    select_aid_apdu,
)

ids = st.text("0123456789ABCDEFGHJKMNPQRSTUVWXYZ", min_size=1, max_size=40)


def test_get_data_asks_the_reader_for_the_uid():
    assert get_uid_apdu() == [0xFF, 0xCA, 0x00, 0x00, 0x00]


def test_select_names_the_member_application():
    apdu = select_aid_apdu(MEMBER_AID)
    assert apdu[:5] == [0x00, 0xA4, 0x04, 0x0C, 9]
    assert bytes(apdu[5:]) == b"\xf0CHAINPOS"


def test_read_binary_from_start_asks_for_everything():
    assert read_binary_apdu() == [0x00, 0xB0, 0x00, 0x00, 0x00]


@given(ids, st.one_of(st.none(), ids))
def test_member_record_survives_the_card(member_id, card_no):
    record = MemberRecord(member_id, card_no)
    stored = encode_member_record(record) + b"\xff" * 16  # an EEPROM's erased tail
    assert decode_member_record(stored) == record


def test_truncated_record_is_not_a_member():
    assert decode_member_record(bytes([0xC1, 10]) + b"M12") is None


def test_record_without_member_id_is_not_a_member():
    assert decode_member_record(bytes([0xC2, 2]) + b"C1") is None
