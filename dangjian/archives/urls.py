from django.urls import path

from dangjian.archives import views

app_name = "archives"
urlpatterns = [
    path("", views.index, name="index"),
    path("guide/", views.guide, name="guide"),
    path("checklist/", views.checklist, name="checklist"),
    path("dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("dossiers/<int:pk>/upload/", views.upload, name="upload"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("files/<int:pk>/delete/", views.file_delete, name="file_delete"),
    path("audits/", views.rounds, name="rounds"),
    path("audits/<int:pk>/", views.round_detail, name="round"),
    path("audits/<int:pk>/draw/", views.round_draw, name="round_draw"),
    path("audits/<int:pk>/close/", views.round_close, name="round_close"),
    path("audits/<int:pk>/export/", views.round_export, name="round_export"),
    path("samples/<int:pk>/", views.sample, name="sample"),
    path("samples/<int:pk>/problems/", views.sample_problem, name="sample_problem"),
    path("samples/<int:pk>/checked/", views.sample_checked, name="sample_checked"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("problems/<int:pk>/rectify/", views.problem_rectify, name="problem_rectify"),
    path("problems/<int:pk>/review/", views.problem_review, name="problem_review"),
]
