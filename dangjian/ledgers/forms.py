"""Forms only parse: the upload, the column mapping, the export. The services decide."""

from __future__ import annotations

from django import forms

from dangjian.ledgers.columns import COLUMNS, KINDS, PIPELINE_KINDS, allowed_keys


def _org_choices(orgs) -> list[tuple[str, str]]:
    return [("", "（按每行填写的所在党组织）")] + [(o.code, f"{'　' * o.depth}{o.name}（{o.code}）") for o in orgs]


class UploadForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx、.xls 或 .csv）",
                           widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                  "accept": ".xlsx,.xls,.csv"}),
                           error_messages={"required": "请选择要上传的文件", "empty": "文件是空的（0 字节）"})
    kind = forms.ChoiceField(label="台账类型", required=False,
                             choices=[("", "自动识别")] + list(KINDS.items()),
                             widget=forms.Select(attrs={"class": "form-select"}))
    default_org = forms.ChoiceField(label="默认所在党组织（行中未填写时使用）", required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, orgs=(), check: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_org"].choices = _org_choices(orgs)
        if check:
            del self.fields["default_org"]
            self.fields["kind"].choices = [("", "自动识别")] + [(k, KINDS[k]) for k in PIPELINE_KINDS]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="台账类型", choices=list(KINDS.items()),
                             widget=forms.Select(attrs={"class": "form-select"}))
    org = forms.ChoiceField(label="范围", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    reveal_ids = forms.BooleanField(label="导出完整的公民身份号码（将记入审计）", required=False)

    def __init__(self, *args, orgs=(), can_reveal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "本组织及全部下级")] + [(o.code, f"{'　' * o.depth}{o.name}")
                                                                 for o in orgs]
        if not can_reveal:
            del self.fields["reveal_ids"]


class MappingForm(forms.Form):
    """One select per column of the file: which ledger column it is, or 不导入."""

    kind = forms.ChoiceField(label="台账类型", choices=list(KINDS.items()),
                             widget=forms.Select(attrs={"class": "form-select"}))
    default_org = forms.ChoiceField(label="默认所在党组织", required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, headers: list[str], orgs=(), check: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.fields["default_org"].choices = _org_choices(orgs)
        if check:
            self.fields["kind"].choices = [(k, KINDS[k]) for k in PIPELINE_KINDS]
            del self.fields["default_org"]
        options = [("", "（不导入）")] + [(k, COLUMNS[k].label) for k in allowed_keys("probationary")] + \
            [(k, COLUMNS[k].label) for k in ("reserve_since", "member_kind", "joined_on", "full_on")
             if not check]
        for i, h in enumerate(headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(label=h or f"第{i + 1}列", required=False, choices=options,
                                                        widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def column_fields(self):
        return [(i, h, self[f"col_{i}"]) for i, h in enumerate(self.headers)]

    def mapping(self) -> dict[int, str]:
        return {i: self.cleaned_data[f"col_{i}"] for i in range(len(self.headers)) if self.cleaned_data.get(f"col_{i}")}
