from django import forms


class BrandCreateForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Brand name",
        error_messages={"required": "Enter your brand's name."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Northwind Analytics", "autofocus": True}),
    )
