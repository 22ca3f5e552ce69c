"""Forms only parse input; the rules are in services.py."""

from __future__ import annotations

from django import forms

from dangjian.core.widgets import DateInput
from dangjian.people.models import Education, Gender, HouseholdType, Occupation, PartyStatus


def _blank(choices):
    return [("", "—")] + list(choices)


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18, min_length=1,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    gender = forms.ChoiceField(label="性别", choices=_blank(Gender.choices), required=False,
                               help_text="可不填，按身份证号码确定")
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput(),
                                 help_text="可不填，按身份证号码确定",
                                 error_messages={"invalid": "出生日期：请输入有效日期，如 1990-05-01"})
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    education = forms.ChoiceField(label="学历", choices=_blank(Education.choices), required=False)
    household_type = forms.ChoiceField(label="户籍类型", choices=_blank(HouseholdType.choices), required=False)
    occupations = forms.MultipleChoiceField(label="人员类别", choices=Occupation.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    organization = forms.ChoiceField(label="所在党组织")
    party_status = forms.ChoiceField(label="政治面貌", choices=PartyStatus.choices, initial=PartyStatus.NONE)
    status_date = forms.DateField(label="状态日期", required=False, widget=DateInput(),
                                  error_messages={"invalid": "状态日期：请输入有效日期，如 2025-03-01"})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, org_choices, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = org_choices
        self.fields["organization"].error_messages["invalid_choice"] = "所在党组织：请选择您管辖范围内的组织"
        for f in self.fields.values():
            f.error_messages.setdefault("required", f"{f.label}：必填")
            f.error_messages["required"] = f"{f.label}：必填"
            if not isinstance(f.widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
                f.widget.attrs.setdefault("class", css)
        if editing:
            # 政治面貌 changes only by recording development steps.
            del self.fields["party_status"]
            del self.fields["status_date"]


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音首字母或身份证号", "class": "form-control"}))
    org = forms.CharField(required=False, widget=forms.HiddenInput)
    party_status = forms.ChoiceField(label="政治面貌", choices=_blank(PartyStatus.choices), required=False,
                                     widget=forms.Select(attrs={"class": "form-select"}))
    gender = forms.ChoiceField(label="性别", choices=_blank(Gender.choices), required=False,
                               widget=forms.Select(attrs={"class": "form-select"}))
    education = forms.ChoiceField(label="学历", choices=_blank(Education.choices), required=False,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    household_type = forms.ChoiceField(label="户籍", choices=_blank(HouseholdType.choices), required=False,
                                       widget=forms.Select(attrs={"class": "form-select"}))
    occupation = forms.ChoiceField(label="人员类别", choices=_blank(Occupation.choices), required=False,
                                   widget=forms.Select(attrs={"class": "form-select"}))
