"""A page's form of national data (001 §II.2.b Bước 4) on the citizen's submission screen: its
fields tied to master-data codes, what the registers said, and the posted values and reasons."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from app.services.dossiers import national_data
from app.web import forms


class NationalForm:
    """The submission's form of national data (001 §II.2.b Bước 4): its fields, what the
    registers said, and, once posted, the typed values and the reasons for changes."""

    def __init__(self, schema: dict[str, Any], filled: national_data.Filled) -> None:
        self.schema, self.filled = schema, filled
        self.data: dict[str, Any] = {}
        self.reasons: dict[str, str] = {}
        self.posted: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def names(self) -> list[str]:
        """The posted names this form reads: its fields and a reason for each filled one."""
        fields = list(self.schema["properties"])
        return fields + [n + forms.REASON_SUFFIX for n in self.filled.tied]

    def read(self, form: MultiDict) -> None:
        """The posted values, typed by the form's schema, and the reasons given."""
        kept, self.reasons = forms.split_reasons(form, self.filled.tied)
        own = MultiDict(
            [(k, v) for k, v in kept.items(multi=True) if k in self.schema["properties"]]
        )
        self.posted = own.to_dict()
        self.data, self.errors = forms.parse(self.schema, own)

    def fields(self, errors: dict[str, str]) -> list[forms.Field]:
        """The fields to draw, marked by source, with the values and errors of a post."""
        drawn = forms.fields(self.schema, {**self.posted, **self.data}, errors)
        return forms.from_national(drawn, self.filled.values, self.reasons, bool(self.posted))
