from django.urls import path

from dangjian.development import views

app_name = "development"
urlpatterns = [
    path("", views.dossier_index, name="list"),
    path("start/<int:person_id>/", views.dossier_start, name="start"),
    path("<int:pk>/", views.dossier_view, name="detail"),
    path("<int:pk>/steps/<str:step>/", views.step_record, name="step"),
    path("<int:pk>/profile/", views.dossier_profile, name="profile"),
    path("findings/", views.findings, name="findings"),
    path("due/", views.due, name="due"),
    path("config/", views.county_config, name="config"),
]
