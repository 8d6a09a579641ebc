from aims.core.registry import registry

app_name = "communication"
urlpatterns = [*registry.urlpatterns("communication")]
