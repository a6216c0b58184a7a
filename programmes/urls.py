"""Web pages, mounted under /programmes/."""

urlpatterns = []
