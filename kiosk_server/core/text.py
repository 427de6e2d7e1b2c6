"""Text rules shared by every domain: diacritics folding, phone numbers, VND, languages."""

import re
import unicodedata

import phonenumbers

DEFAULT_REGION = "VN"
LANGUAGES = ("vi", "en")
Words = tuple[str, str]  # the same words in Vietnamese, then in English
YES_NO: tuple[Words, Words] = (("không", "no"), ("có", "yes"))  # by a bool: YES_NO[answer]
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case `text` without diacritics, for search: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


def clean_name(text: str) -> str:
    """A person's name as stored: NFC-composed, single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalize_phone(raw: str) -> str | None:
    """E.164 form of a phone number (Vietnamese `0xxx` and `+84xxx` agree), or None if invalid."""
    candidate = raw.strip()
    if not candidate or len(candidate) > 32:
        return None
    try:
        number = phonenumbers.parse(candidate, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_as_written(phone: str | None) -> str | None:
    """A stored +84 number as Vietnamese people write it: 0903 123 456."""
    if phone is None or not phone.startswith("+84"):
        return phone
    local = "0" + phone[3:]
    return f"{local[:4]} {local[4:7]} {local[7:]}".strip()


def phone_search_digits(query: str) -> str | None:
    """The digits of a (possibly partial) phone query as they appear in a stored E.164 number."""
    digits = re.sub(r"\D", "", query)
    if len(digits) < 3 or len(digits) != len(re.sub(r"[\s().+\-]", "", query)):
        return None
    if digits.startswith("0"):
        return "84" + digits[1:] if len(digits) >= 9 else digits[1:]
    return digits


def format_number(value: int, language: str = "vi") -> str:
    """A whole number as people write it: 1.250 in Vietnamese, 1,250 in English."""
    return f"{value:,}".replace(",", "." if language == "vi" else ",")


def format_vnd(amount: int) -> str:
    """Money as Vietnamese shops write it: 1.250.000 ₫."""
    return format_number(amount) + " ₫"


def say(words: Words, language: str) -> str:
    """`words` in `language` ("en": English; anything else: Vietnamese)."""
    return words[1] if language == "en" else words[0]


def preferred_language(accept_language: str | None) -> str:
    """The first of our languages the client asks for (by q-value); Vietnamese by default."""
    best, best_q = "vi", -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in LANGUAGES:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        score = quality - position * 1e-6
        if score > best_q:
            best, best_q = base, score
    return best
