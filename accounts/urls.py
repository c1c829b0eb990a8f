from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.session_status, name="session-status"),
    path("forlang/", views.session_extend, name="session-extend"),
]
