from django.urls import path

from dangjian.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("templates/<str:kind>/", views.template, name="template"),
    path("import/", views.import_upload, name="import"),
    path("check/", views.check_upload, name="check"),
    path("export/", views.export, name="export"),
    path("jobs/<int:pk>/", views.job_view, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/mapping/", views.job_mapping, name="job_mapping"),
    path("jobs/<int:pk>/commit/", views.job_commit, name="job_commit"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
