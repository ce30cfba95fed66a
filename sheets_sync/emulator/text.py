"""Seeded names, handles and captions that hold what real social data holds.

Real exports carry emoji, right-to-left scripts, very long strings and text that a spreadsheet
would read as a formula (`=`, `+`, `-`, `@`); the first entities of every dataset get one of each
so tests can rely on their presence.
"""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Ava", "Noah", "Zoë", "José", "Łukasz", "Amélie", "Søren", "Ngọc", "Aisha", "Mateo", "Yuki", "Chloé",
    "محمد", "فاطمة", "יעל", "דוד", "李雷", "Σοφία", "Olek", "Priya", "Kwame", "Ingrid", "Björn", "Émile",
)
LAST_NAMES = (
    "Smith", "García", "Nguyễn", "Müller", "O'Brien", "Kowalski", "Rossi", "Haddad", "Cohen", "Tanaka",
    "Okafor", "Dubois", "Andersson", "Silva", "Patel", "Ivanova", "العلي", "לוי", "王", "Ó Súilleabháin",
)
EMOJI = ("✨", "🔥", "💄", "🌍", "🏋️‍♀️", "🍕", "👩🏽‍💻", "🎉", "❤️", "🇯🇵", "🧴", "🚀")
CAMPAIGN_WORDS = (
    "Summer", "Glow", "Launch", "Holiday", "Back to School", "Spring", "Fitness", "Skincare", "Wellness",
    "Drop", "Collab", "Ambassador", "Giveaway", "Unboxing", "Travel", "Festival", "Black Friday",
)
CAPTION_WORDS = (
    "loving", "this", "new", "drop", "from", "the", "collection", "link", "in", "bio", "use", "code",
    "for", "off", "today", "only", "can't", "believe", "how", "good", "it", "feels", "#ad", "#sponsored",
    "#partner", "morning", "routine", "with",
)

# Text a spreadsheet would treat as a formula or a command if written carelessly.
FORMULA_LIKE = (
    "=HYPERLINK(\"http://example.invalid\",\"click me\")",
    "+1 what a day",
    "-20% off everything",
    "@brand thank you!",
    "=1+1",
)
RIGHT_TO_LEFT = ("مرحبا بالعالم 🌍 تجربة رائعة", "שלום עולם, איזה יום נהדר ✨")
# Longer than Google Sheets' 50,000-character cell limit and Excel's 32,767.
VERY_LONG = "Long caption " + "🔥 so much to say " * 3200
CONTROL = "line one\tcolumn\rreturn\x07bell"

SPECIAL_CAPTIONS = FORMULA_LIKE + RIGHT_TO_LEFT + (VERY_LONG, CONTROL)
SPECIAL_NAMES = ("=cmd|' /C calc'!A0", "+Plus Creator", "-Minus Creator", "@At Creator",
                 "محمد العلي", "יעל לוי", "Zoë ✨ García 🔥", "A" * 300)
SPECIAL_CAMPAIGNS = ("=SUM(A1:A9) Launch", "+Plus Campaign", "-Minus Campaign", "@Mention Campaign",
                     "حملة الصيف ☀️", "קמפיין חורף ❄️", "Glow 🔥✨ Drop", "Very long campaign " * 20)


def person_name(rng: random.Random, index: int) -> str:
    """A creator's full name; the first few are the special strings."""
    if index < len(SPECIAL_NAMES):
        return SPECIAL_NAMES[index]
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if rng.random() < 0.15:
        name += f" {rng.choice(EMOJI)}"
    return name


def handle(rng: random.Random, index: int, network: str) -> str:
    """A handle unique per creator and network."""
    stem = rng.choice(("glow", "daily", "the", "its", "real", "just", "hey", "fit", "style", "eats"))
    if index == 0:
        return f"=handle{index}"
    if index == 1:
        return f"@@{stem}_{index}"
    return f"{stem}.{network[:2]}{index}"


def campaign_name(rng: random.Random, index: int, year: int) -> str:
    """A campaign title; the first few are the special strings."""
    if index < len(SPECIAL_CAMPAIGNS):
        return SPECIAL_CAMPAIGNS[index]
    words = rng.sample(CAMPAIGN_WORDS, 2)
    name = f"{words[0]} {words[1]} {year}"
    if rng.random() < 0.2:
        name += f" {rng.choice(EMOJI)}"
    return name


def description(rng: random.Random) -> str:
    """A campaign brief; some are empty strings, as in the v1 document's example."""
    if rng.random() < 0.1:
        return ""
    return f"{' '.join(rng.sample(CAMPAIGN_WORDS, 2))} brief: {' '.join(rng.choice(CAPTION_WORDS) for _ in range(8))}"


def caption(rng: random.Random, index: int) -> str:
    """A post caption; the first few are the special strings."""
    if index < len(SPECIAL_CAPTIONS):
        return SPECIAL_CAPTIONS[index]
    words = " ".join(rng.choice(CAPTION_WORDS) for _ in range(rng.randint(4, 18)))
    return f"{words} {rng.choice(EMOJI)}" if rng.random() < 0.5 else words
