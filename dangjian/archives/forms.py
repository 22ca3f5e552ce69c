"""Forms of the archives app: parse and label input; the rules are in services."""

from __future__ import annotations

from django import forms

from dangjian.archives.catalogue import DEFAULT_CHECKLIST, PROBLEM_TYPES
from dangjian.archives.selectors import STEP_NAMES
from dangjian.archives.services import MAX_PER_TOWNSHIP, MIN_PER_TOWNSHIP, PER_TOWNSHIP_TOO_FEW
from dangjian.core import clock

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
STEP_CHOICES = [("", "（不对应具体步骤）")] + [(c, f"{c} {STEP_NAMES.get(c, '')}") for c in DEFAULT_CHECKLIST]


class ScanInput(forms.ClearableFileInput):
    """A file input a phone opens with its camera (capture) and that offers only scans (accept)."""

    def __init__(self, **kwargs):
        super().__init__(attrs={"accept": ACCEPT, "capture": "environment", "class": "form-control"}, **kwargs)


class UploadForm(forms.Form):
    item = forms.ChoiceField(label="材料", widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label="扫描件（PDF、JPG 或 PNG）", widget=ScanInput(),
                           error_messages={"required": "扫描件：请选择要上传的文件"})

    def __init__(self, *args, items: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "请选择步骤和材料")] + list(items)
        self.fields["item"].error_messages = {"required": "材料：请选择步骤和材料",
                                              "invalid_choice": "材料：请从清单中选择"}

    def step_material(self) -> tuple[str, str]:
        step, _, material = self.cleaned_data["item"].partition("|")
        return step, material


class ChecklistForm(forms.Form):
    """One text box per step, one material a line."""

    def __init__(self, *args, checklist: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        for code in DEFAULT_CHECKLIST:
            self.fields[code] = forms.CharField(
                label=f"{code} {STEP_NAMES.get(code, '')}", required=False, initial="\n".join(checklist.get(code, [])),
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def items(self) -> dict[str, list[str]]:
        return {code: self.cleaned_data.get(code, "").splitlines() for code in DEFAULT_CHECKLIST}


class RoundForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}),
                           error_messages={"required": "名称：必填"})
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}),
                              error_messages={"required": "年度：必填", "invalid": "年度：应为整数",
                                              "min_value": "年度：应为 2000 到 2100 之间的年份",
                                              "max_value": "年度：应为 2000 到 2100 之间的年份"})
    half = forms.TypedChoiceField(label="半年", coerce=int, choices=[(1, "上半年"), (2, "下半年")],
                                  widget=forms.Select(attrs={"class": "form-select"}),
                                  error_messages={"required": "半年：必填", "invalid_choice": "半年：请选择上半年或下半年"})
    per_township = forms.IntegerField(label="每个乡镇至少抽取（份）", min_value=MIN_PER_TOWNSHIP,
                                      max_value=MAX_PER_TOWNSHIP,
                                      widget=forms.NumberInput(attrs={"class": "form-control"}),
                                      error_messages={"required": "每个乡镇至少抽取：必填",
                                                      "invalid": "每个乡镇至少抽取：应为整数",
                                                      "min_value": PER_TOWNSHIP_TOO_FEW,
                                                      "max_value": "每个乡镇至少抽取：不能超过 500 份"})

    @staticmethod
    def initial_values(per_township: int) -> dict:
        today = clock.today()
        half = 1 if today.month <= 6 else 2
        return {"year": today.year, "half": half, "per_township": per_township,
                "name": f"{today.year}年{'上' if half == 1 else '下'}半年发展党员档案提级审查"}


class DrawForm(forms.Form):
    seed = forms.IntegerField(label="随机种子（可不填，由系统生成并记录）", required=False, min_value=0,
                              widget=forms.NumberInput(attrs={"class": "form-control"}),
                              error_messages={"invalid": "随机种子：应为非负整数", "min_value": "随机种子：应为非负整数"})


class ProblemForm(forms.Form):
    problem_type = forms.ChoiceField(label="问题类型", choices=[("", "请选择")] + list(PROBLEM_TYPES),
                                     widget=forms.Select(attrs={"class": "form-select"}),
                                     error_messages={"required": "问题类型：必填",
                                                     "invalid_choice": "问题类型：请从问题目录中选择"})
    step = forms.ChoiceField(label="涉及步骤", choices=STEP_CHOICES, required=False,
                             widget=forms.Select(attrs={"class": "form-select"}),
                             error_messages={"invalid_choice": "涉及步骤：无效的步骤"})
    note = forms.CharField(label="问题说明", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                           error_messages={"required": "问题说明：必填"})


class RectifyForm(forms.Form):
    answer = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                             error_messages={"required": "整改情况：必填"})
    file = forms.FileField(label="整改材料扫描件（可选）", required=False, widget=ScanInput())


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="复核结论", choices=[("close", "整改到位，销号"), ("return", "整改不到位，退回")],
                                 widget=forms.RadioSelect, error_messages={"required": "复核结论：请选择销号或退回",
                                                                           "invalid_choice": "复核结论：请选择销号或退回"})
    note = forms.CharField(label="复核意见", required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
