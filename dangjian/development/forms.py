"""A form per step, built from the step's field list (stepdefs.py). Forms parse; services decide."""

from __future__ import annotations

from django import forms

from dangjian.development.models import RecordMode
from dangjian.development.stepdefs import STEP_DEFS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


def _field(f) -> forms.Field:
    common = {"label": f.label, "required": f.required}
    if f.kind == "date":
        return forms.DateField(widget=DateInput(attrs={"class": "form-control"}),
                               error_messages={"invalid": f"{f.label}：不是有效日期（应为 2025-03-01 这样的格式）"}, **common)
    if f.kind == "int":
        return forms.IntegerField(min_value=0, widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                                  error_messages={"invalid": f"{f.label}：应为整数", "min_value": f"{f.label}：不能为负数"},
                                  **common)
    if f.kind == "bool":
        return forms.BooleanField(label=f.label, required=False, initial=True)
    if f.kind == "choice":
        choices = ([("", "—")] if not f.required else []) + list(f.choices)
        return forms.ChoiceField(choices=choices, widget=forms.Select(attrs={"class": "form-select"}), **common)
    if f.kind == "multi":
        return forms.MultipleChoiceField(choices=f.choices, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}), **common)


class StepForm(forms.Form):
    date = forms.DateField(widget=DateInput(attrs={"class": "form-control"}))
    responsible_name = forms.CharField(label="责任人", max_length=50, required=False,
                                       widget=forms.TextInput(attrs={"class": "form-control"}))
    responsible_role = forms.CharField(label="责任人职务", max_length=50, required=False,
                                       widget=forms.TextInput(attrs={"class": "form-control"}))
    mode = forms.ChoiceField(label="记录方式", choices=RecordMode.choices, initial=RecordMode.LIVE,
                             widget=forms.RadioSelect)
    override_reason = forms.CharField(label="违规放行理由（仅县委组织部管理员）", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, step: str, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        sdef = STEP_DEFS[step]
        self.step = step
        self.fields["date"].label = sdef.date_label
        self.fields["date"].error_messages = {"required": f"{sdef.date_label}：必填",
                                              "invalid": f"{sdef.date_label}：不是有效日期（应为 2025-03-01 这样的格式）"}
        for f in sdef.fields:
            self.fields[f.name] = _field(f)
            self.fields[f.name].error_messages.setdefault("required", f"{f.label}：必填")
            self.fields[f.name].error_messages["required"] = f"{f.label}：必填"
        # Keep the generic fields last on the page.
        for name in ("responsible_name", "responsible_role", "mode", "override_reason"):
            self.fields[name] = self.fields.pop(name)
        if not can_override:
            del self.fields["override_reason"]

    def step_data(self) -> dict:
        return {f.name: self.cleaned_data.get(f.name) for f in STEP_DEFS[self.step].fields}
