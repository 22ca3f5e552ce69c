"""Login, logout, password change and the start page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.audit import actor_from_request, audit_log
from dangjian.development.selectors import due_counts
from dangjian.orgs.selectors import org_tree
from dangjian.orgs.services import user_set_password


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账号已停用。",
    }


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log(actor=actor_from_request(self.request), action="auth.login", obj_type="user",
                  obj_id=form.get_user().username)
        return response

    def form_invalid(self, form):
        username = (self.request.POST.get("username") or "")[:150]
        locked = getattr(self.request, "axes_locked_out", False)
        audit_log(actor=actor_from_request(self.request), action="auth.lockout" if locked else "auth.login_failed",
                  obj_type="user", obj_id=username, result="denied")
        return super().form_invalid(form)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_log(actor=actor_from_request(request), action="auth.logout", obj_type="user",
                  obj_id=request.user.username)
    logout(request)
    return redirect("login")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise ValidationError("原密码不正确")
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_set_password(actor=actor_from_request(request), user=request.user,
                              password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def home(request):
    """The start page: what the user's organization holds, by the user's role."""
    tree = org_tree(user=request.user, max_depth=1)
    due = due_counts(user=request.user, today=clock.today()) if tree else None
    from dangjian.stats.views import dashboard_context

    dash = dashboard_context(request.user) if tree else None
    return render(request, "core/home.html", {"tree": tree, "due": due, "dash": dash})


def csrf_failure(request, reason=""):
    return render(request, "core/error.html", {"title": "请求已失效", "message": "页面已过期，请刷新后重试。"},
                  status=403)


def not_found(request, exception=None):
    return render(request, "core/error.html", {"title": "未找到", "message": "没有找到该页面或记录，或它不在您的管辖范围内。"},
                  status=404)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"title": "无权操作", "message": str(exception or "") or "您没有权限执行此操作。"},
                  status=403)
