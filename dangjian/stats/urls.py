from django.urls import path

from dangjian.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report_download, name="report"),
    path("dormant/", views.dormant, name="dormant"),
    path("quotas/", views.quotas, name="quotas"),
    path("rush/", views.rush, name="rush"),
    path("settings/", views.stats_settings, name="settings"),
]
