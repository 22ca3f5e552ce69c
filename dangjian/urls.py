from django.urls import include, path

from dangjian.api import api
from dangjian.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.logout_view, name="logout"),
    path("accounts/password/", core_views.password_change, name="password_change"),
    path("orgs/", include("dangjian.orgs.urls")),
    path("people/", include("dangjian.people.urls")),
    path("dossiers/", include("dangjian.development.urls")),
    path("ledgers/", include("dangjian.ledgers.urls")),
    path("stats/", include("dangjian.stats.urls")),
    path("reviews/", include("dangjian.reviews.urls")),
    path("archives/", include("dangjian.archives.urls")),
    path("api/", api.urls),
]

handler404 = "dangjian.core.views.not_found"
handler403 = "dangjian.core.views.forbidden"
