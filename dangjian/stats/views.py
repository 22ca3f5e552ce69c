"""Statistics pages: structure (with drill-down and the report download), dormant villages, quotas, rush
admissions, settings. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from dangjian.core import clock
from dangjian.core.audit import actor_from_request, audit_log
from dangjian.core.errors import NotAllowed
from dangjian.core.xlsx import xlsx_response
from dangjian.orgs.models import OrgKind, Role
from dangjian.stats import report
from dangjian.stats.forms import PeriodForm, QuotaForm, StatsSettingsForm
from dangjian.stats.selectors import (
    children,
    dormant_board,
    dormant_summary,
    quota_board,
    root_org,
    rush_list,
    settings_for,
    structure,
    warning_counts,
)
from dangjian.stats.services import SETTING_FIELDS, quota_set, quota_target_allowed, stats_settings_update

SEVERAL_COUNTIES = (OrgKind.PROVINCE, OrgKind.CITY)


def _period(request):
    form = PeriodForm(request.GET or None)
    today = clock.today()
    if request.GET and not form.is_valid():
        return form, None
    if not request.GET:
        form.is_valid()
    return form, form.period(today)


@login_required
def index(request):
    form, period = _period(request)
    org = root_org(user=request.user, code=request.GET.get("org", ""))
    if period is None:
        return render(request, "stats/index.html", {"form": form, "org": org}, status=400)
    as_of, start, end = period
    figures = structure(user=request.user, org=org, as_of=as_of, start=start, end=end)
    query = request.GET.copy()
    query["org"] = org.code
    query.pop("format", None)
    return render(request, "stats/index.html", {
        "form": form, "org": org, "f": figures, "as_of": as_of, "start": start, "end": end,
        "children": children(user=request.user, org=org, as_of=as_of, start=start, end=end),
        "text": report.summary_text(org, figures, as_of, start, end), "query": query.urlencode(),
        "parent": org.parent if org.parent_id and request.user.organization and
        org.path != request.user.organization.path else None})


@login_required
def report_download(request):
    form, period = _period(request)
    org = root_org(user=request.user, code=request.GET.get("org", ""))
    fmt = request.GET.get("format", "docx")
    if period is None or fmt not in report.FORMATS:
        return render(request, "core/error.html", {"title": "参数有误", "message": "；".join(
            e for errs in form.errors.values() for e in errs) or "格式：应为 docx、xlsx 或 json"}, status=400)
    as_of, start, end = period
    figures = structure(user=request.user, org=org, as_of=as_of, start=start, end=end)
    body = report.render(fmt, org, figures, as_of, start, end)
    audit_log(actor=actor_from_request(request), action="stats.report", obj_type="organization", obj_id=org.code,
              detail={"format": fmt, "as_of": as_of, "from": start, "to": end})
    resp = HttpResponse(body, content_type=report.CONTENT_TYPES[fmt])
    name = f"{org.name}统计报告-{as_of:%Y-%m-%d}.{fmt}"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@login_required
def dormant(request):
    org = root_org(user=request.user, code=request.GET.get("org", ""))
    today = clock.today()
    rows = dormant_board(actor=actor_from_request(request), org=org, today=today)
    s = settings_for(org.path)
    several = org.kind in SEVERAL_COUNTIES  # the villages use their own county's settings (county_settings)
    if request.GET.get("format") == "xlsx":
        audit_log(actor=actor_from_request(request), action="stats.dormant_export", obj_type="organization",
                  obj_id=org.code, detail={"villages": len(rows)})
        return xlsx_response("长期未发展党员的村", [
            "乡镇", "村", "最近发展党员（入党时间）", "状态", f"满{s.warn_years}年未发展之日", f"满{s.dormant_years}年未发展之日",
            "即将到线" if several else f"{s.soon_months}个月内到线", "入党积极分子和发展对象（最早可确定为发展对象日期）"],
            [(r.township.name if r.township else "", r.org.name, r.last, r.color_label, r.warn_on, r.dormant_on,
              "是" if r.within_6m else "", "；".join(f"{p['name']}（{p['status']}"
                                                   f"{'，' + p['earliest'] if p['earliest'] else ''}）" for p in r.people))
             for r in rows], filename=f"长期未发展党员的村-{today:%Y-%m-%d}.xlsx")
    color = request.GET.get("color", "")
    shown = [r for r in rows if not color or r.color == color]
    return render(request, "stats/dormant.html", {"org": org, "rows": shown, "board": dormant_summary(rows),
                                                  "settings": s, "color": color, "today": today,
                                                  "several": several})


@login_required
def quotas(request):
    org = root_org(user=request.user, code=request.GET.get("org", "") or request.POST.get("parent", ""))
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    status = 200
    if request.method == "POST":
        if not request.user.can_write or request.user.role == Role.VILLAGE_SECRETARY:
            raise NotAllowed("县委组织部下达乡镇的发展指标，乡镇党委下达所属村的发展指标")
        form = QuotaForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                quota_set(actor=actor_from_request(request), year=cd["year"], org_code=cd["org"], total=cd["total"],
                          young=cd["young"])
            except ValidationError as exc:
                for e in (m for ms in exc.message_dict.values() for m in ms):
                    messages.error(request, e)
                status = 400
            else:
                messages.success(request, "发展指标已保存。")
                return redirect(f"{request.path}?org={org.code}&year={year}")
        else:
            for e in (m for ms in form.errors.values() for m in ms):
                messages.error(request, e)
            status = 400
    rows = quota_board(user=request.user, org=org, year=year)
    can_set = bool(rows) and quota_target_allowed(request.user, rows[0].org)
    return render(request, "stats/quotas.html", {"org": org, "rows": rows, "year": year, "can_set": can_set,
                                                 "totals": {"quota": sum(r.quota.total for r in rows if r.quota),
                                                            "young": sum(r.quota.young for r in rows if r.quota),
                                                            "done": sum(r.done for r in rows),
                                                            "done_young": sum(r.done_young for r in rows)}},
                  status=status)


@login_required
def rush(request):
    org = root_org(user=request.user, code=request.GET.get("org", ""))
    try:
        year = int(request.GET.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    flags = rush_list(actor=actor_from_request(request), org=org, year=year)
    return render(request, "stats/rush.html", {"org": org, "flags": flags, "year": year,
                                               "settings": settings_for(org.path),
                                               "several": org.kind in SEVERAL_COUNTIES})


@login_required
def stats_settings(request):
    org = request.user.organization
    if org is None or request.user.role != Role.COUNTY_ADMIN or org.kind != OrgKind.COUNTY:
        raise NotAllowed("只有县委组织部管理员可以修改统计设置")
    current = settings_for(org.path)
    form = StatsSettingsForm(request.POST or None, initial={f: getattr(current, f) for f in
                                                            [*SETTING_FIELDS, "rush_ratio"]})
    if request.method == "POST" and form.is_valid():
        try:
            stats_settings_update(actor=actor_from_request(request), county=org, values=form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, "统计设置已保存。")
            return redirect("stats:settings")
    return render(request, "stats/settings.html", {"form": form, "county": org}, status=400 if form.errors else 200)


def dashboard_context(user) -> dict | None:
    """The start page's dashboard (county admin, township organizer, read-only): figures for charts."""
    if user.role not in (Role.COUNTY_ADMIN, Role.TOWNSHIP_ORGANIZER, Role.READONLY) or user.organization is None:
        return None
    today = clock.today()
    org = user.organization  # the user's own organization: his scope's root by definition
    start = dt.date(today.year, 1, 1)
    f = structure(user=user, org=org, as_of=today, start=start, end=today,
                  keys=("members", "pipeline", "admissions", "admissions_by_year", "findings"))
    kids = children(user=user, org=org, as_of=today, start=start, end=today)
    m = f["members"]
    # A province's or city's start page would read every village and a year's admissions of the province on each
    # visit (seconds): its warning counts are on the boards themselves.
    warnings = None if org.kind in SEVERAL_COUNTIES else warning_counts(user=user, org=org, today=today)
    return {"org": org, "f": f, "children": kids, "warnings": warnings,
            "chart": {
        "structure": [["农村", m["rural_pct"]], ["35岁及以下", m["young_pct"]], ["高中及以上", m["hs_pct"]],
                      ["女性", m["women_pct"]], ["少数民族", m["minority_pct"]]],
        "funnel": [[s["label"], s["total"]] for s in f["pipeline"]],
        "years": [[str(y), n] for y, n in f["admissions_by_year"]],
        "children": [{"code": k.org.code, "name": k.org.name, "members": k.members, "pipeline": k.pipeline,
                      "admissions": k.admissions} for k in kids],
        "drill": "/stats/?org="}}
