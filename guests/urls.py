from django.urls import path

from guests import views

app_name = "guests"

urlpatterns = [
    path("in/<str:token>/", views.redeem, name="redeem"),
    path("mote/", views.join, name="join"),
]
