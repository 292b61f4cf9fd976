"""One mechanism for every record kind hanging off a customer archive: list, add, edit, delete."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import inspect, select

from core.db import db
from core.registry import child_forms as forms
from core.registry import models


@dataclass(frozen=True)
class ChildKind:
    key: str
    model: type
    form: type[FlaskForm]
    title: Any
    columns: tuple[str, ...]
    order_by: Any
    labels: dict[str, dict[str, Any]] | None = None  # column -> {value: label}
    before_save: Callable[[Any, FlaskForm, Any], None] | None = None
    limit: int | None = None

    def rows(self, customer_id: int) -> list[Any]:
        stmt = select(self.model).where(self.model.customer_id == customer_id).order_by(*self.order_by)
        if self.limit:
            stmt = stmt.limit(self.limit)
        return list(db.session.scalars(stmt))

    def label(self, row: Any, column: str) -> Any:
        value = getattr(row, column)
        return (self.labels or {}).get(column, {}).get(value, value)

    def column_title(self, column: str) -> Any:
        return getattr(self.form, column).args[0]

    def save(self, row: Any, form: FlaskForm, user: Any) -> None:
        """Copy the form's fields that are columns of the model, then run the kind's own step."""
        columns = {attr.key for attr in inspect(self.model).column_attrs}
        for field in form:
            if field.name in columns:
                setattr(row, field.name, field.data)
        if self.before_save:
            self.before_save(row, form, user)


def _contact_author(row: models.ContactLog, form: FlaskForm, user: Any) -> None:
    if row.user_id is None:
        row.user_id = user.id


def _evaluation_author(row: models.Evaluation, form: FlaskForm, user: Any) -> None:
    if row.author_id is None:
        row.author_id = user.id


def _contract_file(row: models.Contract, form: FlaskForm, user: Any) -> None:
    from core.registry.uploads import store_upload

    upload = form.upload.data
    if upload and getattr(upload, "filename", ""):
        row.file_name, row.stored_file = store_upload(upload, "contracts")


CHILD_KINDS: dict[str, ChildKind] = {kind.key: kind for kind in (
    ChildKind("people", models.KeyPerson, forms.KeyPersonForm, _l("Key people"),
              ("role", "name", "phone", "birthday", "education"), (models.KeyPerson.id,),
              labels={"role": forms.PERSON_ROLES}),
    ChildKind("contacts", models.ContactLog, forms.ContactLogForm, _l("Visits and calls"),
              ("at", "kind", "place", "people_met", "content", "result", "follow_up_on"),
              (models.ContactLog.at.desc(),), labels={"kind": forms.CONTACT_KINDS},
              before_save=_contact_author, limit=30),
    ChildKind("dates", models.ImportantDate, forms.ImportantDateForm, _l("Important dates"),
              ("kind", "on", "person", "note"), (models.ImportantDate.on,), labels={"kind": forms.DATE_KINDS}),
    ChildKind("contracts", models.Contract, forms.ContractForm, _l("Contracts"),
              ("number", "signed_on", "valid_from", "valid_until", "terms"), (models.Contract.signed_on.desc(),),
              before_save=_contract_file),
    ChildKind("plans", models.MarketingPlan, forms.MarketingPlanForm, _l("Marketing plans"),
              ("title", "period", "content"), (models.MarketingPlan.id.desc(),)),
    ChildKind("evaluations", models.Evaluation, forms.EvaluationForm, _l("Evaluations"),
              ("evaluated_on", "summary"), (models.Evaluation.evaluated_on.desc(),),
              before_save=_evaluation_author),
    ChildKind("secondary", models.SecondaryCustomer, forms.SecondaryCustomerForm,
              _l("Second-level customers"), ("name", "business_type", "phone", "volume", "is_core"),
              (models.SecondaryCustomer.is_core.desc(), models.SecondaryCustomer.name),
              labels={"business_type": forms.SECONDARY_TYPES}),
)}
