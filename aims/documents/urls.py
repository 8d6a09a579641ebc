from aims.core.registry import registry

app_name = "documents"
urlpatterns = [*registry.urlpatterns("documents")]
