"""Reading a posted HTML form into typed values: the web layer's half of a command.

A `FormReader` takes the request's form (a MultiDict) and gives text, check boxes, numbers and
repeated rows (`<prefix>-<index>-<field>`), noting every value of the wrong shape under its
own field name; `done()` then refuses the form (422) with all of them at once. What the values
mean (a code's format, that it exists) is the service's to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from app.i18n import _
from app.services.core.errors import InvalidInput

# What browsers send for a ticked box without a value attribute, and what scripts tend to.
CHECKED = frozenset({"on", "1", "true"})
ROW_KEY = re.compile(r"^(?P<prefix>[a-z_]+)-(?P<index>[^-]*)-(?P<field>[a-z_]+)$")
MAX_ROWS = 200
# A hostile form can be wrong in thousands of places; the first few say enough.
MAX_ERRORS = 50


@dataclass(frozen=True)
class Rows:
    """Repeated rows of one prefix: which fields each row may have, which one it must have."""

    prefix: str
    fields: tuple[str, ...]
    anchor: str


class FormReader:
    """Typed values out of a posted form, with the shape errors located by field name."""

    def __init__(self, form: MultiDict[str, str]) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def note(self, name: str, message: str) -> None:
        """Record that field `name` has the wrong shape (the first MAX_ERRORS only)."""
        if len(self.errors) < MAX_ERRORS:
            self.errors.setdefault(name, message)

    def _one(self, name: str) -> str | None:
        values = self.form.getlist(name)
        if len(values) > 1:
            self.note(name, _("Trường này được gửi nhiều lần"))
        return values[0] if values else None

    def text(self, name: str) -> str:
        """The value with its whitespace collapsed; "" when absent."""
        return " ".join((self._one(name) or "").split())

    def stripped(self, name: str) -> str:
        """The value without leading and trailing whitespace (lines inside kept); "" when absent."""
        return (self._one(name) or "").strip()

    def words(self, name: str) -> tuple[str, ...]:
        """A list typed as words separated by commas or spaces (codes, usernames)."""
        return tuple(w for w in re.split(r"[,\s]+", self.text(name)) if w)

    def flag(self, name: str, absent: bool = False) -> bool:
        """A check box: ticked, or not sent (then `absent`); any other value is refused."""
        value = self._one(name)
        if value is None:
            return absent
        if value not in CHECKED and value not in ("", "off", "0"):
            self.note(name, _("Ô đánh dấu chỉ nhận giá trị “on”"))
        return value in CHECKED

    def number(self, name: str) -> float | None:
        """A decimal number (a comma or a point before the decimals); None when blank."""
        text = self.text(name)
        if not text:
            return None
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = None
        if value is None or value != value or value in (float("inf"), float("-inf")):
            self.note(name, _("Cần một số, ví dụ 15 hoặc 0,5"))
            return None
        return value

    def whole(self, name: str, most: int, separators: str = "") -> int | None:
        """A whole number from 0 to `most` in ASCII digits (`separators` between thousands
        ignored); None when blank."""
        text = self.text(name)
        for separator in separators:
            text = text.replace(separator, "")
        if not text:
            return None
        # the length first: int() of thousands of digits is slow, then refused by Python
        digits = text.isascii() and text.isdigit() and len(text) <= len(str(most))
        if not digits or int(text) > most:
            self.note(name, _("Cần một số nguyên không âm, tối đa %(most)s", most=most))
            return None
        return int(text)

    def rows(self, rows: Rows) -> list[tuple[int, FormReader]]:
        """The rows of `rows.prefix` by index, each as its index and a reader of its fields
        (named without the prefix); rows left entirely blank are dropped. Indexes run 0, 1, 2…
        without gaps, each row has its anchor field, and there are at most MAX_ROWS."""
        found: dict[int, MultiDict[str, str]] = {}
        for key in self._keys(rows.prefix):
            index, field = self._row_key(key, rows)
            if index is None or field is None:
                continue
            found.setdefault(index, MultiDict()).setlist(field, self.form.getlist(key))
        if not self._complete(found, rows):
            return []
        filled = [i for i in sorted(found) if any(v.strip() for v in found[i].values())]
        return [(i, FormReader(found[i])) for i in filled]

    def _keys(self, prefix: str) -> list[str]:
        return [k for k in self.form if k.startswith(f"{prefix}-")]

    def _row_key(self, key: str, rows: Rows) -> tuple[int | None, str | None]:
        match = ROW_KEY.match(key)
        if match is None or match["prefix"] != rows.prefix:
            self.note(
                key, _("Tên trường không đúng dạng %(prefix)s-<số>-<tên>", prefix=rows.prefix)
            )
            return None, None
        index = match["index"]
        if not (index.isascii() and index.isdigit()) or (len(index) > 1 and index[0] == "0"):
            self.note(key, _("Số thứ tự dòng phải là số nguyên không âm"))
            return None, None
        if len(index) > len(str(MAX_ROWS)) or int(index) >= MAX_ROWS:
            self.note(
                key,
                _("Tối đa %(most)s dòng (số thứ tự 0–%(last)s)", most=MAX_ROWS, last=MAX_ROWS - 1),
            )
            return None, None
        if match["field"] not in rows.fields:
            self.note(key, _("Dòng không có trường «%(field)s»", field=match["field"]))
            return None, None
        return int(index), match["field"]

    def _complete(self, found: dict[int, MultiDict[str, str]], rows: Rows) -> bool:
        """Every index from 0 to the last is there, each with its anchor field."""
        complete = True
        for index in range(max(found, default=-1) + 1):
            anchor = f"{rows.prefix}-{index}-{rows.anchor}"
            if index not in found or rows.anchor not in found[index]:
                self.note(
                    anchor, _("Thiếu dòng số %(index)s (trường %(name)s)", index=index, name=anchor)
                )
                complete = False
        return complete

    def merge(self, prefix: str, index: int, reader: FormReader) -> None:
        """A row reader's errors, named as on the form."""
        for field, message in reader.errors.items():
            self.note(f"{prefix}-{index}-{field}", message)

    def done(self) -> None:
        """Refuse the form (422) when any value had the wrong shape: each problem under its
        field's name, and the first few named in the form's own message (`_form`), so that
        a field the page does not draw is located too."""
        if not self.errors:
            return
        named = "; ".join(f"{name}: {problem}" for name, problem in list(self.errors.items())[:5])
        message = _("Biểu mẫu chưa hợp lệ: %(problems)s", problems=named)
        raise InvalidInput(message, fields={**self.errors, "_form": message})
