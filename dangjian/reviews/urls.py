from django.urls import path

from dangjian.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("departments/", views.departments, name="departments"),
    path("departments/<int:pk>/toggle/", views.department_toggle, name="department_toggle"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/toggle/", views.item_toggle, name="item_toggle"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("batches/", views.batches, name="batches"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_view, name="batch"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.reply, name="reply"),
    path("kinship/", views.kinship, name="kinship"),
    path("kinship/new/<int:dossier_pk>/", views.kinship_new, name="kinship_new"),
    path("kinship/<int:pk>/forward/", views.kinship_forward, name="kinship_forward"),
    path("kinship/<int:pk>/decide/", views.kinship_decide, name="kinship_decide"),
    path("county-review/", views.county_queue, name="county_queue"),
    path("county-review/<int:dossier_pk>/", views.county_review, name="county_review"),
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_view, name="notice"),
    path("notices/<int:pk>/docx/", views.notice_download, name="notice_docx"),
    path("notices/<int:pk>/feedback/", views.notice_feedback, name="notice_feedback"),
    path("dossier/<int:pk>/", views.dossier_view, name="dossier"),
]
