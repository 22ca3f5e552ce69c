from django.urls import path

from dangjian.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_index, name="list"),
    path("new/", views.person_new, name="new"),
    path("<int:pk>/", views.person_view, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal-id/", views.person_reveal, name="reveal_id"),
]
