"""Web pages, mounted under /programmes/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("episodes/<int:pk>/", views.episode_programmes, name="programmes-episode"),
    path("enrolments/<int:pk>/follow-up/", views.follow_up_done, name="programmes-follow-up"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="programmes-withdraw"),
]
