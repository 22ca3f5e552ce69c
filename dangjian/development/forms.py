"""A form per step, built from the step's field list (stepdefs.py). Forms parse; services decide."""

from __future__ import annotations

import re

from django import forms

from dangjian.core.widgets import DateInput
from dangjian.development.models import RecordMode, Tier
from dangjian.development.stepdefs import STEP_DEFS


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
        # Unticked by default: a compliance fact is declared, never presumed.
        return forms.BooleanField(label=f.label, required=False)
    if f.kind == "choice":
        choices = ([("", "—")] if not f.required else []) + list(f.choices)
        return forms.ChoiceField(choices=choices, widget=forms.Select(attrs={"class": "form-select"}), **common)
    if f.kind == "multi":
        return forms.MultipleChoiceField(choices=f.choices, widget=forms.CheckboxSelectMultiple, **common)
    return forms.CharField(max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}), **common)


class StepForm(forms.Form):
    date = forms.DateField(widget=DateInput(attrs={"class": "form-control"}))
    responsible_name = forms.CharField(label="责任人", max_length=50, required=False, help_text="留空则为记录人本人",
                                       widget=forms.TextInput(attrs={"class": "form-control"}))
    responsible_role = forms.CharField(label="责任人职务", max_length=50, required=False, help_text="留空则为记录人的角色",
                                       widget=forms.TextInput(attrs={"class": "form-control"}))
    # Not "mode": S17 has a field of that name (审批方式).
    record_mode = forms.ChoiceField(label="记录方式", choices=RecordMode.choices, initial=RecordMode.LIVE,
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
        for name in ("responsible_name", "responsible_role", "record_mode", "override_reason"):
            self.fields[name] = self.fields.pop(name)
        if not can_override:
            del self.fields["override_reason"]

    def step_data(self) -> dict:
        return {f.name: self.cleaned_data.get(f.name) for f in STEP_DEFS[self.step].fields}


PUBLICITY_POINTS = [("activist", "入党积极分子"), ("candidate", "发展对象"), ("admission", "接收预备党员"),
                    ("conversion", "预备党员转正")]


class CountyConfigForm(forms.Form):
    """The county's rule settings (PROCEDURE §5 `config`); the engine validates them again."""

    strict_anniversary = forms.BooleanField(label="整年期限自周年次日起算（如培养满一年）", required=False)
    strict_birthday = forms.BooleanField(label="年满十八岁自生日次日起算", required=False)
    holiday_rollover = forms.BooleanField(label="期限最后一天遇节假日顺延至下一个工作日", required=False)
    candidate_date = forms.ChoiceField(label="确定发展对象的日期口径", choices=[
        ("committee", "支委会确定日期"), ("filing", "上级党委备案日期")])
    min_cultivation_years = forms.IntegerField(label="“六不发展”最短培养年限（年，留空不启用）", required=False,
                                               min_value=1, max_value=5)
    publicity_working_days = forms.IntegerField(label="公示工作日数（留空不检查天数）", required=False, min_value=1,
                                                max_value=30)
    publicity_at = forms.MultipleChoiceField(label="须公示的环节", choices=PUBLICITY_POINTS, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    # 近亲属审批, 联审 and 县级复审: their data comes from the reviews app (engine fact providers).
    kinship_gate = forms.ChoiceField(label="村干部近亲属须经县委组织部审批，最迟在", required=False, choices=[
        ("", "不检查"), ("activist", "确定为入党积极分子前"), ("candidate", "确定为发展对象前"),
        ("admission", "支部大会讨论接收前")])
    joint_review_departments = forms.CharField(
        label="须回复的联审部门（用顿号或逗号分隔，与“审查与公示—联审部门”中的名称一致；留空不检查）", required=False,
        max_length=300)
    joint_review_gate = forms.ChoiceField(label="联审须在何时前全部回复", choices=[
        ("activist", "确定为入党积极分子前"), ("candidate", "确定为发展对象前"), ("admission", "支部大会讨论接收前")],
        initial="candidate", required=False)
    county_review_gate = forms.ChoiceField(label="县委组织部复审（三级审查），最迟在", required=False, choices=[
        ("", "不检查"), ("admission", "支部大会讨论接收前"), ("approval", "上级党委审批前")])
    training_min_hours = forms.IntegerField(label="集中培训最少学时（留空不启用）", required=False, min_value=1,
                                            max_value=200)
    application_min_months = forms.IntegerField(label="递交申请后至少多少个月才能确定为积极分子（留空不启用）",
                                                required=False, min_value=1, max_value=36)
    meeting_within_1m_of_prereview = forms.BooleanField(label="预审后一个月内召开支部大会", required=False)
    oath_within_1m = forms.BooleanField(label="审批后一个月内入党宣誓", required=False)
    tiers = forms.BooleanField(label="入党积极分子分梯次管理（当年计划发展方可确定为发展对象）", required=False)
    late_entry_days = forms.IntegerField(label="录入晚于步骤日期多少天视为补录", min_value=1, max_value=365,
                                         initial=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f.widget, forms.Select):
                f.widget.attrs.setdefault("class", "form-select")
            elif isinstance(f.widget, forms.NumberInput | forms.TextInput):
                f.widget.attrs.setdefault("class", "form-control")
            f.error_messages["required"] = f"{f.label}：必填"
            f.error_messages["invalid"] = f"{f.label}：格式不对"
            f.error_messages["min_value"] = f"{f.label}：数值太小"
            f.error_messages["max_value"] = f"{f.label}：数值太大"

    def config(self) -> dict:
        cd = self.cleaned_data
        return {"strict_anniversary": cd["strict_anniversary"], "strict_birthday": cd["strict_birthday"],
                "holiday_rollover": cd["holiday_rollover"], "candidate_date": cd["candidate_date"],
                "min_cultivation_years": cd["min_cultivation_years"],
                "publicity_working_days": cd["publicity_working_days"], "publicity_at": cd["publicity_at"],
                "training_min_hours": cd["training_min_hours"], "application_min_months": cd["application_min_months"],
                "meeting_within_1m_of_prereview": cd["meeting_within_1m_of_prereview"],
                "oath_within_1m": cd["oath_within_1m"], "tiers": cd["tiers"],
                "kinship_gate": cd["kinship_gate"] or None,
                "joint_review_departments": [n.strip() for n in re.split(r"[、,，;；\s]+", cd["joint_review_departments"])
                                             if n.strip()],
                "joint_review_gate": cd["joint_review_gate"] or "candidate",
                "county_review_gate": cd["county_review_gate"] or None}

    @staticmethod
    def initial_from(config: dict, late_entry_days: int) -> dict:
        initial = dict(config)
        initial["late_entry_days"] = late_entry_days
        initial["joint_review_departments"] = "、".join(config.get("joint_review_departments") or [])
        return initial


class ProfileForm(forms.Form):
    tier = forms.ChoiceField(label="发展梯次", required=False, choices=[("", "—")] + list(Tier.choices),
                             widget=forms.Select(attrs={"class": "form-select"}))
    expected_departure = forms.DateField(label="预计外出（离开本地）日期", required=False,
                                         widget=DateInput(attrs={"class": "form-control"}),
                                         error_messages={"invalid": "预计外出日期：不是有效日期（应为 2025-03-01 这样的格式）"})
