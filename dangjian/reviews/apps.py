from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "dangjian.reviews"
    label = "reviews"
    verbose_name = "联审、近亲属报备、三级审查与公示"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rules read 联审 replies, negative-list hits, kinship approvals, county re-reviews and notices:
        # every evaluation (step recording, recheck, ledger import) gets them through this provider.
        from dangjian.development.engine import register_facts
        from dangjian.reviews.facts import review_facts

        register_facts(review_facts)
