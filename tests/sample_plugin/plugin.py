from flask import Blueprint, render_template

from core.api import Column, MenuItem, Metric, Panel, Permission, Plugin, hookimpl

bp = Blueprint("sampleplug", __name__, url_prefix="/sampleplug")


@bp.route("/")
def index():
    from tests.sample_plugin.models import SampleNote

    return render_template("sampleplug/index.html", count=SampleNote.query.count())


class SamplePlugin(Plugin):
    title = "Sample"
    version = "9.9"

    @hookimpl
    def register_blueprints(self, app):
        return [bp]

    @hookimpl
    def register_permissions(self, app):
        return [Permission("sampleplug.use", "Use the sample", ("rep",))]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem("Sample menu", "sampleplug.index", order=99)]

    @hookimpl
    def customer_panels(self, app, customer, user):
        return [Panel("Sample panel", f"<p>panel for {customer.code}</p>")]

    @hookimpl
    def register_metrics(self, app):
        return [Metric("sample_metric", "count", "Sample metric", "Ten times the customer id.")]

    @hookimpl
    def customer_metrics(self, app, customer_ids, period):
        return {cid: {"sample_metric": cid * 10} for cid in customer_ids}

    @hookimpl
    def customer_tags(self, app, customer_ids):
        return {cid: ["sample"] for cid in customer_ids}

    @hookimpl
    def customer_list_columns(self, app, user):
        return [Column("sample", "Sample column", lambda ids: {cid: f"S{cid}" for cid in ids})]
