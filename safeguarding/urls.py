"""Web pages, mounted under /safeguarding/."""

urlpatterns = []
