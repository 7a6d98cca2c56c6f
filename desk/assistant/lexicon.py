"""The words the assistant listens for, and the clean-up every message gets before it is read.

Matching happens on a *folded* form: lower case, Turkish letters mapped to plain ASCII
(members often type "yarin aksam" for "yarın akşam"), apostrophes dropped ("18'de" → "18de",
"can't" → "cant") and the text split into tokens of letters, of digits and of single symbols,
joined by single spaces ("6pm" → "6 pm", "18:00" → "18 : 00"). Patterns elsewhere are written
against that form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

#: Longer messages are cut here before anything else looks at them: nobody books a class in an
#: essay, and parsing cost must stay bounded whatever a sender pastes in.
MAX_CHARS = 1000
MAX_TOKENS = 200

_TURKISH_FOLD = str.maketrans(
    {
        "ı": "i",
        "ş": "s",
        "ğ": "g",
        "ü": "u",
        "ö": "o",
        "ç": "c",
        "â": "a",
        "î": "i",
        "û": "u",
        "\u0307": None,  # the dot "İ".lower() leaves behind
        "'": None,
        "’": None,
        "‘": None,
        "`": None,
        "´": None,
    }
)
_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+|[^\w\s]")
_TURKISH_LETTERS = frozenset("çğıöşüÇĞİÖŞÜ")


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated block, for long word lists."""
    return frozenset(text.split())


def clean(text: object) -> str:
    """The message with control/format characters removed, NFKC-normalised and cut short."""
    if not isinstance(text, str):
        return ""
    text = text[: MAX_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)[:MAX_CHARS]
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\t" or category[0] == "Z":
            kept.append(" ")
        elif category[0] != "C":
            kept.append(char)
    return " ".join("".join(kept).split())


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form; "İPTAL", "iptal" and "IPTAL" all become "iptal"."""
    return text.replace("İ", "i").lower().translate(_TURKISH_FOLD)


def tokens(folded: str) -> list[str]:
    return _TOKEN.findall(folded)[:MAX_TOKENS]


def has_turkish_letters(text: str) -> bool:
    return any(char in _TURKISH_LETTERS for char in text)


# --- language ------------------------------------------------------------------------------

TURKISH_WORDS = word_set(
    """
    yarin yrn bugun kac seans seansim ders dersi dersim derslerim iptal rezervasyon randevu kaldi
    kaldimi mi mu misin miyim miyiz musun var varmi yok evet hayir tamam tmm olur merhaba selam
    slm mrb mrhb selamlar tesekkur tesekkurler tesekkurederim tsk tskler sagol sagolun eyvallah
    lutfen aksam aksamki sabah ogle oglen ogleden gece hafta haftaya haftasonu pazartesi sali
    carsamba persembe cuma cumartesi pazar istiyorum icin bir ve ben beni bana benim saat gun
    yer bos musait ikinci ilk ilki birinci ucuncu dorduncu besinci olsun ile ya da de da ki
    nasil ne zaman kacta hakkim kalan paket paketim bakiye ertele degistir yerine yapmak
    yapabilir alabilir gelemeyecegim gelemem gelemiyorum gelebilir katilmak ayir yaz yazar
    bekleme listesi listesine sira siraya yetkili biriyle gorusmek konusmak insan resepsiyon
    kabul ediyorum edebilir misiniz musunuz nedir neler sayim abi abla hocam hoca gunaydin iyi
    aksamlar geceler hangi sonra once tane vardir mevcut
    """
)
ENGLISH_WORDS = word_set(
    """
    the a an i im you is are there any can could would want book booking bookings reserve
    tomorrow tmrw today tonight cancel please pls plz my me how many left have do does at to on
    for in of yes yeah yep no nope hi hello hey thanks thank thx class classes session sessions
    lesson lessons morning afternoon evening what when which next this spot spots available
    free space room move reschedule change instead waitlist waiting list person human staff
    reception talk speak call balance credits remaining package it one first second third last
    and or with like id ill get join sign up put be not dont cant wont sure okay ok monday
    tuesday wednesday thursday friday saturday sunday week weekend time still open
    """
)


def language(cleaned: str, words: Sequence[str], default: str) -> str:
    """ "tr" or "en" by counting each language's words; a word written with Turkish letters
    ("yarın", "Günaydın") is one more vote for Turkish, unless it is capitalised mid-sentence:
    that is a name ("with Ayşe"), and English messages mention Turkish trainers too."""
    turkish = sum(1 for word in words if _is_turkish(word))
    for position, word in enumerate(_WORD.findall(cleaned)):
        if has_turkish_letters(word) and not (position > 0 and word[0].isupper()):
            turkish += 1
    english = sum(1 for word in words if word in ENGLISH_WORDS)
    if turkish > english:
        return "tr"
    if english > turkish:
        return "en"
    return default


_WORD = re.compile(r"[^\W\d_]+")
_TURKISH_STEMS = tuple(sorted(w for w in TURKISH_WORDS if len(w) >= 4))


def _is_turkish(word: str) -> bool:
    """A Turkish word, or one with a suffix on it ("ikincisi", "rezervasyonlarım")."""
    return word in TURKISH_WORDS or (len(word) > 4 and word.startswith(_TURKISH_STEMS))


# --- emoji ---------------------------------------------------------------------------------

#: Emoji that carry an answer on their own. Keyed by the single code point the tokenizer
#: produces (skin-tone modifiers and variation selectors become separate tokens).
EMOJI_WORDS: dict[str, str] = {
    "👍": "yes",
    "👌": "yes",
    "✅": "yes",
    "✔": "yes",
    "☑": "yes",
    "🆗": "yes",
    "👎": "no",
    "❌": "no",
    "✖": "no",
    "🚫": "no",
    "🙏": "thanks",
    "❤": "thanks",
    "🥰": "thanks",
    "👋": "hi",
}
#: Emoji members use instead of a class name; mapped to words a service alias may carry.
SERVICE_EMOJI: dict[str, str] = {
    "🧘": "yoga",
    "🚴": "cycling",
    "🚲": "cycling",
}


# --- typo correction -----------------------------------------------------------------------

#: Keywords worth correcting when misspelled ("cancle", "tommorow", "thursay"). Only tokens that
#: are not known words, and that do not merely extend a keyword with a Turkish suffix, are
#: corrected, so "cumartesiye" keeps its "to Saturday" ending.
KEYWORDS = word_set(
    """
    cancel cancelled reschedule postpone tomorrow today tonight morning afternoon evening
    monday tuesday wednesday thursday friday saturday sunday weekend booking bookings book
    reserve reservation reservations available availability remaining balance sessions session
    classes class lessons lesson credits package waitlist waiting please thanks thank hello
    second third fourth fifth first appointment appointments reception person human someone
    instead change schedule upcoming tomorrows confirm decline accept
    iptal rezervasyon rezervasyonlarim randevu randevularim yarin bugun aksam sabah ogleden
    pazartesi sali carsamba persembe cuma cumartesi pazar haftaya hafta tesekkurler tesekkur
    merhaba selam musait ertele degistir istiyorum kaldi seans ders derslerim paketim bekleme
    listesi yetkili gorusmek konusmak ikincisi birincisi ucuncusu tamam evet hayir lutfen
    gelemeyecegim rezerve
    """
)
#: Common words that look like typos of keywords but are not ("cancer" is not "cancel" here).
KNOWN_WORDS = word_set(
    """
    there these those where which while would could should their other about after again
    before being below between coming going doing having making taking trying really thing
    things think theres thats whats heres morning mornings evenings afternoons todays
    tomorrows sessions yarim hafta haftalik sabahlari aksamlari training trainer personal
    event events chance charge hair classic glass
    """
)
_KEYWORD_LIST = sorted(KEYWORDS)
_KEYWORDS_BY_INITIAL: dict[str, list[str]] = {}
for _keyword in _KEYWORD_LIST:
    _KEYWORDS_BY_INITIAL.setdefault(_keyword[0], []).append(_keyword)


def _collapse(word: str, keep: int) -> str:
    """Shorten runs of 3+ identical letters ("pleaseee", "boook") to `keep` letters."""
    return re.sub(r"(.)\1{2,}", lambda m: m.group(1) * keep, word)


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The keyword a misspelled token stands for, or the token unchanged."""
    if len(word) < 4 or not word.isascii() or not word.isalpha():
        return word
    if word in KEYWORDS or word in KNOWN_WORDS:
        return word
    for keep in (2, 1):
        shorter = _collapse(word, keep)
        if shorter in KEYWORDS:
            return shorter
    if any(word.startswith(stem) for stem in _KEYWORD_LIST if len(stem) >= 4):
        return word
    candidate = _collapse(word, 2)
    cutoff = 85.0 if len(candidate) <= 5 else 80.0
    # Typos almost never hit the first letter; requiring it keeps "training" from becoming
    # "remaining".
    choices = _KEYWORDS_BY_INITIAL.get(candidate[0], [])
    best = process.extractOne(candidate, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    return best[0] if best else word
