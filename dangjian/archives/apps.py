from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "dangjian.archives"
    label = "archives"
    verbose_name = "档案管理与档案审查"
