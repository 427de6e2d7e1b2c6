"""The QR token format: short, QR-alphanumeric, unforgeable, and any typo is refused."""

import base64
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_server.core.signing import (
    Token,
    TokenKind,
    TokenSigner,
    extract_token_text,
    new_serial,
)

QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")
SIGNER = TokenSigner(b"k" * 40)

kinds = st.sampled_from(list(TokenKind))
serials = st.binary(min_size=10, max_size=10).map(lambda b: base64.b32encode(b).decode())
tokens = st.builds(SIGNER.sign, kinds, serials)


@given(kinds, serials)
def test_sign_verify_round_trip(kind, serial):
    token = SIGNER.sign(kind, serial)
    assert SIGNER.verify(token) == Token(kind=kind, serial=serial)
    assert SIGNER.verify(token.lower()) == Token(kind=kind, serial=serial)


@given(tokens)
def test_token_is_short_and_qr_alphanumeric(token):
    assert len(token) <= 48
    assert set(token) <= QR_ALPHANUMERIC


def test_tag_has_at_least_80_bits():
    tag = SIGNER.sign(TokenKind.CARD, new_serial()).rsplit(".", 1)[1]
    assert len(tag) * 5 >= 80  # base32: 5 bits per character
    assert len(new_serial()) * 5 >= 80


def test_token_of_another_secret_is_refused():
    token = TokenSigner(b"o" * 40).sign(TokenKind.INVITATION, new_serial())
    assert SIGNER.verify(token) is None


@pytest.mark.parametrize("head", ["2C", "0I", "9C", "1Q", "1Z"])
def test_unknown_version_or_kind_is_refused_even_when_correctly_tagged(head):
    serial = new_serial()
    # _tag: what a future server (new version or kind) would write with the same key.
    token = f"{head}.{serial}.{SIGNER._tag(f'{head}.{serial}')}"
    assert SIGNER.verify(token) is None


# Every character the reader could mistake for a token character: all of ASCII, plus every
# character whose upper case is ASCII, since the reader upper-cases ('ı' -> 'I', 'ſ' -> 'S').
NEAR = sorted({c for c in map(chr, range(0x10000)) if c.upper().isascii()})


def _single_edits(token: str, extra: str):
    """Every replacement, insertion and deletion of one character (from NEAR + extra)."""
    for i in range(len(token) + 1):
        for char in [*NEAR, extra]:
            if i < len(token) and char not in (token[i], token[i].lower(), token[i].upper()):
                yield token[:i] + char + token[i + 1:]  # not a change of letter case only
            if edited_is_not_tolerated(inserted := token[:i] + char + token[i:], token):
                yield inserted
        if i < len(token):
            yield token[:i] + token[i + 1:]


def edited_is_not_tolerated(edited: str, token: str) -> bool:
    # Deliberately accepted: surrounding whitespace, and a leading or trailing `/` (URL forms).
    return edited.strip().strip("/") != token


@settings(max_examples=25, deadline=None)
@given(tokens, st.characters())
def test_any_single_character_edit_is_refused(token, extra):
    accepted = [edited for edited in _single_edits(token, extra) if SIGNER.verify(edited)]
    assert accepted == []


def test_the_token_must_be_the_whole_last_segment():
    token = SIGNER.sign(TokenKind.CARD, new_serial())
    for scanned in (f"{token}\n/", f"http://host/C/{token}\n?x=1", f"http://host/C/X{token}"):
        assert SIGNER.verify(scanned) is None, repr(scanned)


@given(tokens, st.sampled_from(["", "?from=poster&x=1", "?a=b/c", "#top", "/"]))
def test_token_inside_a_url_is_accepted(token, suffix):
    for url in (f"http://host/C/{token}{suffix}", f"https://kiosk.example:8443/c/{token}{suffix}"):
        assert SIGNER.verify(url) == SIGNER.verify(token) is not None


@given(st.text())
def test_any_text_never_raises(text):
    assert SIGNER.verify(text) is None


def test_non_ascii_text_is_never_upper_cased_into_a_token():
    # 'ı'.upper() == 'I' and 'ſ'.upper() == 'S': a look-alike must not become a valid code.
    token = SIGNER.sign(TokenKind.INVITATION, "SSSSSSSSSSSSSSSS")
    assert SIGNER.verify(token.lower()) is not None
    for look_alike in (token.lower().replace("s", "ſ"), token.replace("I", "ı", 1),
                       f"http://host/c/{token.lower().replace('s', 'ſ')}"):
        assert extract_token_text(look_alike) == ""
        assert SIGNER.verify(look_alike) is None


def test_a_newline_after_the_token_inside_the_scan_is_refused():
    # `$` would match before a trailing newline; the whole candidate must be the token.
    token = SIGNER.sign(TokenKind.CARD, new_serial())
    assert extract_token_text(f"{token}\n/") == f"{token}\n"
    assert SIGNER.verify(f"{token}\n/") is None
    assert SIGNER.verify(f"  {token}\n") == SIGNER.verify(token) is not None  # whitespace around


def test_serial_of_gives_a_genuine_tokens_serial_for_its_own_kind_only():
    serial = new_serial()
    token = SIGNER.sign(TokenKind.FEEDBACK, serial)
    assert SIGNER.serial_of(token, TokenKind.FEEDBACK) == serial
    assert SIGNER.serial_of(f"https://shop.example/f/{token}", TokenKind.FEEDBACK) == serial
    assert SIGNER.serial_of(token, TokenKind.EXIT_SURVEY) is None  # another kind
    assert SIGNER.serial_of(token[:-1] + ("A" if token[-1] != "A" else "B"),
                            TokenKind.FEEDBACK) is None  # altered
    assert SIGNER.serial_of("not a token", TokenKind.FEEDBACK) is None
