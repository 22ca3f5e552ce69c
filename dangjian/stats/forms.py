"""Forms of the stats pages: they parse; the selectors and services decide."""

from __future__ import annotations

import datetime as dt

from django import forms

from dangjian.core.widgets import DateInput


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput(attrs={"class": "form-control"}),
                           error_messages={"invalid": f"{label}：不是有效日期（应为 2025-03-01 这样的格式）"})


class PeriodForm(forms.Form):
    """Which subtree, the report date and the admissions period (GET parameters)."""

    org = forms.CharField(label="党组织代码", required=False, max_length=32, widget=forms.HiddenInput)
    as_of = _date("统计截至")
    start = _date("发展党员期间自")
    end = _date("至")

    def period(self, today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
        cd = self.cleaned_data
        as_of = cd.get("as_of") or today
        end = cd.get("end") or as_of
        start = cd.get("start") or dt.date(end.year, 1, 1)
        return as_of, start, end

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("start", f"发展党员期间自：{data['start']:%Y-%m-%d} 晚于截止日期 {data['end']:%Y-%m-%d}")
        return data


class QuotaForm(forms.Form):
    org = forms.CharField(label="党组织代码", max_length=32, widget=forms.HiddenInput)
    year = forms.IntegerField(label="年度", widget=forms.HiddenInput)
    total = forms.IntegerField(label="发展指标", min_value=0, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
                               error_messages={"invalid": "发展指标：应为整数", "required": "发展指标：必填",
                                               "min_value": "发展指标：不能为负数"})
    young = forms.IntegerField(label="其中35岁及以下", min_value=0, initial=0,
                               widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
                               error_messages={"invalid": "其中35岁及以下：应为整数", "required": "其中35岁及以下：必填",
                                               "min_value": "其中35岁及以下：不能为负数"})


def _int(label: str, lo: int, hi: int) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=lo, max_value=hi,
                              widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                              error_messages={"invalid": f"{label}：应为整数", "required": f"{label}：必填",
                                              "min_value": f"{label}：应在 {lo} 至 {hi} 之间",
                                              "max_value": f"{label}：应在 {lo} 至 {hi} 之间"})


class StatsSettingsForm(forms.Form):
    dormant_years = _int("长期未发展党员的村：连续几年未发展（红色）", 1, 10)
    warn_years = _int("预警：连续几年未发展（橙色）", 1, 10)
    warn_months = _int("即将到达预警线的提前月数（黄色）", 1, 36)
    soon_months = _int("“即将到线”提示的月数（将满预警年数或长期未发展年数）", 1, 36)
    rush_ratio = forms.DecimalField(label="突击发展：发展人数超过指标的倍数", max_digits=4, decimal_places=2, min_value=1,
                                    max_value=10, widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1"}),
                                    error_messages={"invalid": "超指标倍数：应为数字，如 1.5", "required": "超指标倍数：必填",
                                                    "min_value": "超指标倍数：应在 1 至 10 之间",
                                                    "max_value": "超指标倍数：应在 1 至 10 之间"})
    rush_days = _int("突击发展：几天之内", 1, 60)
    rush_count = _int("突击发展：同一党支部发展几人及以上", 2, 100)
    rush_town_count = _int("突击发展：同一乡镇（街道）发展几人及以上", 2, 500)
