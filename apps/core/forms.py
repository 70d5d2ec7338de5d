"""Form pieces shared by every app."""

from django import forms

from .text import tags_clean, tags_normalise


class TagsWidget(forms.TextInput):
    """A comma-separated text input that static/js/app.js turns into removable chips."""

    def __init__(self, attrs=None):
        super().__init__({"data-tags": "", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value


class TagsField(forms.CharField):
    """Cleans "a, b,  c" (or a list) to ["a", "b", "c"]; works without JavaScript."""

    widget = TagsWidget

    def __init__(self, *, max_tags: int = 20, max_length_each: int = 60, **kwargs):
        self.max_tags, self.max_length_each = max_tags, max_length_each
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        items = value if isinstance(value, list | tuple) else (value or "").replace("\n", ",").split(",")
        return tags_normalise(items)

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        tags_clean(value, max_items=self.max_tags, max_length=self.max_length_each)
