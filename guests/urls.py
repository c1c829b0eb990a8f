from django.urls import path

from guests import views

app_name = "guests"

urlpatterns = [
    path("in/<str:token>/", views.redeem, name="redeem"),
    path("mote/", views.join, name="join"),
    path("mote/oppnad/", views.opened, name="opened"),
    path("mote/legitimera/", views.eid_page, name="eid"),
    path("mote/legitimera/starta/", views.eid_start, name="eid_start"),
    path("mote/legitimera/qr/", views.eid_qr, name="eid_qr"),
    path("mote/legitimera/status/", views.eid_collect, name="eid_collect"),
    path("mote/legitimera/avbryt/", views.eid_cancel, name="eid_cancel"),
    path("mote/legitimera/fungerar-inte/", views.eid_unavailable, name="eid_unavailable"),
    path("mote/legitimera/simulera/", views.eid_simulate, name="eid_simulate"),
    path("mote/utrustning/", views.check, name="check"),
    path("mote/rum/", views.room, name="room"),
]
