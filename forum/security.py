"""Password hashing, random tokens and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 defaults
# Tests create hundreds of accounts; a cheap (still argon2id) profile keeps them quick.
_FAST_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
_use_fast = False
# Verifying against this when a username is unknown makes both answers take as long.
_DUMMY_HASH = _HASHER.hash("not a real password")


def use_fast_hashing(enabled: bool) -> None:
    global _use_fast
    _use_fast = enabled


def hash_password(password: str) -> str:
    return (_FAST_HASHER if _use_fast else _HASHER).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret_key: str, seed: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, seed: str | None, submitted: str | None) -> bool:
    if not seed or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret_key, seed), submitted)
