from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.start, name="start"),
    path("besok/<int:pk>/", views.detail, name="detail"),
    path("besok/<int:pk>/panel/", views.panel, name="panel"),
    path("besok/<int:pk>/avsluta/", views.finish, name="finish"),
    path("besok/<int:pk>/anteckningar/", views.save_notes, name="notes"),
    path("besok/<int:pk>/journalfort/", views.confirm_journaled, name="journaled"),
    path("besok/<int:pk>/rum/", views.room_presence, name="room_presence"),
    path("besok/<int:pk>/<slug:action>/", views.transition, name="transition"),
]
