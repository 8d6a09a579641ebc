from aims.core.registry import registry

app_name = "objectives"
urlpatterns = [*registry.urlpatterns("objectives")]
