from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import AdminLoginForm, LoginForm
from videovisit import views

urlpatterns = [
    path("", include("visits.urls")),
    path("patienter/", include("patients.urls")),
    path("boka/", include("bookings.urls")),
    path("", include("integrations.urls")),
    path("", include("guests.urls")),
    path("logga-in/", auth_views.LoginView.as_view(
        authentication_form=LoginForm, redirect_authenticated_user=True), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

admin.site.site_header = "videovisit – administration"
admin.site.site_title = "videovisit"
admin.site.login_form = AdminLoginForm
