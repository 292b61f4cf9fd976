"""Offers the rule “key customers of the region” (here: the codes in ``KEY``) and grades customers
by business type, through promotions' optional hooks, as a tiering plugin would."""
from core.api import Customer, Plugin, hookimpl

KEY: set[str] = set()


class GraderPlugin(Plugin):
    title = "Grader"
    description = "Key customers and grades for tests."

    @hookimpl(optionalhook=True)
    def promotion_target_rules(self, app):
        return [{"key": "grader.key", "label": "Key customers of the region",
                 "condition": lambda region_id: Customer.code.in_(sorted(KEY))}]

    @hookimpl(optionalhook=True)
    def promotion_customer_grade(self, app):
        return [Customer.business_type]
