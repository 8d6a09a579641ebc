from aims.core.registry import registry

app_name = "competence"
urlpatterns = [*registry.urlpatterns("competence")]
