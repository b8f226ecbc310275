"""Pure account rules: the GB 32100 unified social credit code (C2.2, S3)."""

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """C2.2: an 18-character code of the GB 32100 charset whose last character is the check digit."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(ch not in USCC_CHARSET for ch in code) or not code[2:8].isdigit():
        return False
    return uscc_check_char(code[:17]) == code[17]


def make_uscc(body17: str) -> str:
    """Complete a 17-character body with its check digit (demo data and tests)."""
    return body17 + uscc_check_char(body17)
