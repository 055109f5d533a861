"""The one place where a redirect target that came from outside (a `next` parameter, a form
field, the Referer header) is judged: only a path of this site survives, anything else becomes
the fallback. Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
those never pass, in plain or percent-encoded form."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import request

# Percent-decoding rounds checked: enough for double and triple encoding; more is refused.
_DECODE_ROUNDS = 3


def safe_target(value: str | None, fallback: str) -> str:
    """`value` when it is a same-site relative path (`/dossiers?x=1`), an absolute URL of this
    very site reduced to its path, otherwise `fallback`."""
    if not value:
        return fallback
    path = _own_path(value)
    if path is None or not all(_is_local_path(form) for form in _decoded_forms(path)):
        return fallback
    return path


def _own_path(value: str) -> str | None:
    """The path (with query and fragment) of `value` if it names this site, or None."""
    if not _is_clean(value):
        return None
    parts = urlsplit(value)
    if not parts.scheme and not parts.netloc:
        return value
    own = urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return None
    path = value[len(f"{parts.scheme}://{parts.netloc}") :]
    return path or "/"


def _decoded_forms(value: str) -> list[str]:
    """The value and each percent-decoded form of it; a value still changing after the last
    round is refused (returned as a form that fails the check)."""
    forms = [value]
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            return forms
        forms.append(decoded)
    return [""]


def _is_clean(value: str) -> bool:
    return not any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in value)


def _is_local_path(value: str) -> bool:
    if not (_is_clean(value) and value.startswith("/")) or value.startswith("//"):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc
