from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("dev/inkorg/", views.dev_inbox, name="dev_inbox"),
]
