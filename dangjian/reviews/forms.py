"""Forms of the reviews app: they parse, the services decide (and name the field in Chinese when they refuse)."""

from __future__ import annotations

from django import forms

from dangjian.core.widgets import DateInput
from dangjian.reviews.models import Effect, Relation, ReplyFinding, ReviewResult, Stage

BATCH_STAGES = [(Stage.ACTIVIST, "入党积极分子"), (Stage.CANDIDATE, "发展对象")]
CHANNELS = [("phone", "来电"), ("letter", "来信"), ("visit", "来访"), ("other", "其他")]


class _Form(forms.Form):
    """Bootstrap classes and Chinese messages that name the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.Select) and not isinstance(w, forms.RadioSelect | forms.CheckboxSelectMultiple):
                w.attrs.setdefault("class", "form-select")
            elif isinstance(w, forms.TextInput | forms.NumberInput | forms.Textarea | forms.DateInput
                            | forms.PasswordInput):
                w.attrs.setdefault("class", "form-control")
            f.error_messages["required"] = f"{f.label}：必填"
            f.error_messages["invalid"] = (f"{f.label}：不是有效日期（应为 2025-03-01 这样的格式）"
                                           if isinstance(f, forms.DateField) else f"{f.label}：格式不对")
            f.error_messages["invalid_choice"] = f"{f.label}：无效的选项"
            f.error_messages["min_value"] = f"{f.label}：数值太小"
            f.error_messages["max_value"] = f"{f.label}：数值太大"
            f.error_messages["max_length"] = f"{f.label}：太长"


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


class DepartmentForm(_Form):
    name = forms.CharField(label="部门名称", max_length=50)


class DepartmentEditForm(DepartmentForm):
    active = forms.BooleanField(label="参加联审（停用的部门不再收到新的联审批次）", required=False)


class ReviewerForm(_Form):
    department = forms.TypedChoiceField(label="所属联审部门", coerce=int)
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50)
    password = forms.CharField(label="初始密码（首次登录须修改）", widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class ItemForm(_Form):
    code = forms.CharField(label="编号", max_length=12)
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.CharField(label="类别", max_length=30)
    stage = forms.ChoiceField(label="审查阶段", choices=Stage.choices)
    department = forms.TypedChoiceField(label="核查部门", coerce=int)
    effect = forms.ChoiceField(label="处理方式", choices=Effect.choices)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class BatchForm(_Form):
    title = forms.CharField(label="批次名称", max_length=100)
    stage = forms.ChoiceField(label="审查阶段", choices=BATCH_STAGES)
    sent_on = _date("发送日期")
    due_on = _date("回复期限")
    dossiers = forms.TypedMultipleChoiceField(label="审查对象", coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].choices = [(d.pk, f"{d.person.name}（{d.organization.name}，{d.get_status_display()}）")
                                           for d in people]


class ReplyForm(_Form):
    finding = forms.ChoiceField(label="部门意见", choices=ReplyFinding.choices, widget=forms.RadioSelect)
    replied_on = _date("回复日期")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class KinshipForm(_Form):
    cadre_name = forms.CharField(label="村干部姓名", max_length=50)
    cadre_post = forms.CharField(label="村干部职务", max_length=50, help_text="如：村党支部书记、村委会主任、村“两委”委员")
    relation = forms.ChoiceField(label="亲属关系", choices=Relation.choices)
    reported_on = _date("报备日期")


class ForwardForm(_Form):
    township_opinion = forms.CharField(label="乡镇党委意见", max_length=200)
    forwarded_on = _date("上报日期")


class DecideForm(_Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "同意"), ("refuse", "不同意")],
                                 widget=forms.RadioSelect)
    decided_on = _date("审批日期")
    document_no = forms.CharField(label="批复文号", max_length=60)
    note = forms.CharField(label="审批意见", max_length=200, required=False)


class CountyReviewForm(_Form):
    result = forms.ChoiceField(label="复审结论", choices=ReviewResult.choices, widget=forms.RadioSelect)
    reviewed_on = _date("复审日期")
    reviewer = forms.CharField(label="复审人", max_length=50)
    opinion = forms.CharField(label="复审意见", widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(_Form):
    organization = forms.ChoiceField(label="公示单位")
    point = forms.ChoiceField(label="公示环节", choices=Stage.choices)
    start = _date("公示开始")
    working_days = forms.IntegerField(label="公示工作日数（留空按县里设置）", required=False, min_value=1, max_value=30)
    contact_phone = forms.CharField(label="监督电话", max_length=30)
    feedback_address = forms.CharField(label="来信来访地址", max_length=120)
    dossiers = forms.TypedMultipleChoiceField(label="公示对象", coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, orgs=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.code, o.name) for o in orgs]
        self.fields["dossiers"].choices = [(d.pk, f"{d.person.name}（{d.organization.name}，{d.get_status_display()}）")
                                           for d in people]


class FeedbackForm(_Form):
    received_on = _date("收到日期")
    channel = forms.ChoiceField(label="方式", choices=CHANNELS)
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 2}))
    handling = forms.CharField(label="核实处理情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def errors_to_form(form: forms.Form, exc) -> None:
    """Put a service's ValidationError (field → messages) onto the form."""
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
