from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("sok/", views.search, name="search"),
    path("ny/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/kontakt/", views.update_contact, name="update-contact"),
    path("<int:pk>/uppdatera/", views.refresh, name="refresh"),
    path("<int:pk>/relationer/", views.relations, name="relations"),
    path("<int:pk>/relationer/<int:guardian_pk>/", views.update_guardian,
         name="update-guardian"),
    path("<int:pk>/besok/", views.visits, name="visits"),
]
