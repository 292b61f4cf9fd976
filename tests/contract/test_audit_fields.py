"""Every audited column of core and of each enabled plugin says how it reads in the history."""
from core.audit import (
    Money,
    Weight,
    audited_columns,
    audited_models,
    declared_fields,
    undeclared_fields,
)
from core.registry.models import Customer


def test_every_audited_model_and_column_has_a_label(app):
    models = audited_models()
    assert {"customers", "customer_contacts", "logistics_orders", "logistics_trips"} <= set(models)
    assert undeclared_fields() == {}, "declare these in __audit_fields__ (core.audit.Audited)"


def test_money_and_weights_are_declared_as_such(app):
    """Integer cents and kilograms read as ¥ and kg, never as a bare number."""
    wrong = []
    for model in audited_models().values():
        declared = declared_fields(model)
        for key in audited_columns(model):
            if key.endswith("_cents") and not isinstance(declared.get(key), Money):
                wrong.append(f"{model.__name__}.{key} is not Money")
            if key.endswith("_kg") and not isinstance(declared.get(key), Weight):
                wrong.append(f"{model.__name__}.{key} is not Weight")
    assert not wrong


def test_a_forgotten_label_is_named(app, monkeypatch):
    fields = {key: label for key, label in Customer.__audit_fields__.items() if key != "notes"}
    monkeypatch.setattr(Customer, "__audit_fields__", fields)
    assert undeclared_fields() == {"Customer": ["notes"]}


def test_plugin_records_of_a_customer_name_who_may_read_their_history(app):
    """The customer page shows every record of the customer: a plugin's history needs its permission."""
    unguarded = [model.__name__ for model in audited_models().values()
                 if model.__module__.startswith("plugins.") and "customer_id" in audited_columns(model)
                 and not model.__audit_permission__]
    assert unguarded == [], "declare __audit_permission__ on these models"
