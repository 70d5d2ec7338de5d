from django.apps import AppConfig


class MemesConfig(AppConfig):
    name = "apps.memes"
    label = "memes"
    verbose_name = "Memes"
