"""The organization tree and one organization's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.orgs.selectors import org_get, org_tree


@login_required
def tree(request):
    return render(request, "orgs/tree.html", {"tree": org_tree(user=request.user)})


@login_required
def detail(request, code: str):
    org = org_get(user=request.user, code=code)
    node = org_tree(user=request.user, root=org, max_depth=1)
    return render(request, "orgs/detail.html", {"org": org, "node": node})
