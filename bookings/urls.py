from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("", views.start, name="start"),
    path("borja-om/", views.restart, name="restart"),
    path("bokning/<int:pk>/", views.detail, name="detail"),
    path("bokning/<int:pk>/kallelse/", views.kallelse, name="kallelse"),
    path("bokning/<int:pk>/flytta/", views.reschedule, name="reschedule"),
    path("bokning/<int:pk>/avboka/", views.cancel, name="cancel"),
    path("flode/1177/", views.published_feed_view, name="published-feed"),
    path("flode/sjalvincheckning/", views.self_checkin_feed_view, name="self-checkin-feed"),
    path("<slug:step>/", views.step, name="step"),
]
