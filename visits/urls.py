from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.start, name="start"),
    path("besok/nytt/", views.new_visit, name="new"),
    path("besok/<int:pk>/", views.detail, name="detail"),
    path("besok/<int:pk>/panel/", views.panel, name="panel"),
    path("besok/<int:pk>/avsluta/", views.finish, name="finish"),
    path("besok/<int:pk>/anteckningar/", views.notes, name="notes"),
    path("besok/<int:pk>/journalfort/", views.confirm_journaled, name="journaled"),
    path("besok/<int:pk>/deltagare/", views.participants, name="participants"),
    path("besok/<int:pk>/deltagare/ny/", views.participant_add_view, name="participant-add"),
    path("besok/<int:pk>/deltagare/<int:participant_pk>/ta-bort/", views.participant_remove_view,
         name="participant-remove"),
    path("besok/<int:pk>/deltagare/<int:participant_pk>/ny-lank/", views.participant_link_view,
         name="participant-link"),
    path("besok/<int:pk>/deltagare/<int:participant_pk>/kopiera-lank/",
         views.participant_copy_link_view, name="participant-copy-link"),
    path("besok/<int:pk>/meddelanden/<int:message_pk>/skicka-igen/", views.message_resend,
         name="message-resend"),
    path("besok/<int:pk>/rum/", views.room_presence, name="room_presence"),
    path("besok/<int:pk>/rum/<int:participant_pk>/slapp-in/", views.room_admit,
         name="room-admit"),
    path("besok/<int:pk>/rum/<int:participant_pk>/neka/", views.room_refuse,
         name="room-refuse"),
    path("besok/<int:pk>/ombud/", views.contacts, name="contacts"),
    path("besok/<int:pk>/flytta/", views.reschedule, name="reschedule"),
    path("besok/<int:pk>/<slug:action>/", views.transition, name="transition"),
]
