"""Web pages of referral intake, under /referrals/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.referral_list, name="referral-list"),
    path("new/", views.referral_new, name="referral-new"),
    path("reengage/", views.referral_reengage, name="referral-reengage"),
    path("<int:pk>/", views.referral_detail, name="referral-detail"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.referral_attachment, name="referral-attachment"),
]
