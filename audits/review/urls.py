"""URLs of this area's own pages (the registers' URLs come from the registry)."""

urlpatterns = []
