"""The customer list query: search, filters and sorting, shared by the list page and exports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_login import current_user
from sqlalchemy import (
    ARRAY,
    Select,
    Text,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    union,
)
from sqlalchemy.dialects.postgresql import array

from core.auth.models import Region, User
from core.db import db
from core.inputs import id_arg
from core.registry.archive import overdue_verifications
from core.registry.grams import query_grams
from core.registry.models import Customer, KeyPerson
from core.registry.plugin_filters import ListOptions, as_arg, list_options, read_filters
from core.registry.size_class import size_class_expression
from core.visibility import restrict

SORTS = {
    "code": (Customer.code,),
    "name": (Customer.name_initials, Customer.code),
    "type": (Customer.business_type, Customer.code),
    "size": (Customer.size_class, Customer.code),
    "region": (Region.code, Customer.code),
    "owner": (User.username, Customer.code),
    "state": (Customer.state, Customer.code),
    "created": (Customer.created_at, Customer.id),
}
ARGS = ("q", "business_type", "region_id", "owner_id", "size_class", "kind", "state", "overdue", "sort", "desc")


@dataclass
class CustomerFilter:
    q: str = ""
    business_type: str = ""
    region_id: int | None = None
    owner_id: int | None = None
    size_class: str = ""
    kind: str = ""  # "prospect" | "customer"
    state: str = ""
    overdue: bool = False  # the open verify task is past its due time
    sort: str = "code"
    desc: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # plugin filters: key -> validated value
    options: ListOptions = field(default_factory=ListOptions, repr=False, compare=False)
    ignored: list[str] = field(default_factory=list, compare=False)  # why some values were ignored

    @classmethod
    def from_args(cls, args: Any) -> CustomerFilter:
        """The filter of a request, with the plugins' filters and columns for the current user,
        so every list and export of customers applies the same plugin filters."""
        options = customer_list_options(current_user)
        extra, ignored = read_filters(args, options)
        sort = args.get("sort", "code")
        return cls(
            q=args.get("q", "").strip()[:100], business_type=args.get("business_type", ""),
            region_id=id_arg(args, "region_id"), owner_id=id_arg(args, "owner_id"),
            size_class=args.get("size_class", ""), kind=args.get("kind", ""), state=args.get("state", ""),
            overdue=args.get("overdue") == "1", sort=sort if sort in SORTS or sort in options.sorts else "code",
            desc=args.get("desc") == "1", extra=extra, options=options, ignored=ignored,
        )

    def as_args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments reproducing this filter (for links and exports)."""
        values = {key: getattr(self, key) for key in ARGS}
        values.update(changes)
        values["overdue"] = "1" if values["overdue"] else ""
        values["desc"] = "1" if values["desc"] else ""
        values.update({key: as_arg(value) for key, value in self.extra.items()})
        return {key: value for key, value in values.items() if value not in ("", None, False)}


def customer_list_options(user: Any) -> ListOptions:
    """The filters and columns plugins add to ``user``'s customer list."""
    return list_options(user, frozenset(ARGS) | {"page"}, frozenset(SORTS))


def customer_text(q: str) -> Any:
    """The plain search over an archive's own fields: code, name, phones, pinyin initials."""
    like = f"%{q}%"
    return or_(Customer.code.ilike(like), Customer.name.ilike(like), Customer.phone.ilike(like),
               Customer.mobile.ilike(like), Customer.name_initials.like(f"%{q.lower()}%"))


def person_text(q: str) -> Any:
    """The plain search over a key person: name or phone."""
    like = f"%{q}%"
    return or_(KeyPerson.name.ilike(like), KeyPerson.phone.ilike(like))


def text_condition(q: str, people: bool) -> Any:
    """Code, name, phones, pinyin initials of the name, or (with ``people``) a key person's name
    or phone: ``LIKE '%q%'`` on each, the meaning every faster form below must keep."""
    conditions = [customer_text(q)]
    if people:
        conditions.append(exists().where(KeyPerson.customer_id == Customer.id, person_text(q)))
    return or_(*conditions)


def _has_grams(model: type, grams: list[str]) -> Any:
    """Rows of ``model`` whose search tokens hold every one of ``grams``, through the index of the
    database: GIN over the token array on PostgreSQL, the FTS5 table on SQLite (phrases ANDed)."""
    if db.engine.dialect.name == "postgresql":
        tokens = func.string_to_array(model.search_grams, literal_column("' '"))
        return tokens.op("@>")(cast(array(grams), ARRAY(Text)))
    fts = f"{model.__tablename__}_search"  # core.registry.search_tables
    match = literal_column(fts).op("MATCH")(" ".join(f'"{gram}"' for gram in grams))
    return model.id.in_(select(literal_column("rowid")).select_from(table(fts)).where(match))


def matching_ids(q: str, people: bool) -> Any:
    """Ids of the archives the search ``q`` finds, as a UNION of indexed id sets (one per table),
    each narrowed by the search tokens and then held to the exact ``LIKE``: an OR over columns of
    two tables can only be answered by scanning every archive."""
    grams = query_grams(q)
    if not grams:  # nothing but separators: no token narrows it
        return select(Customer.id).where(text_condition(q, people))
    sets = [select(Customer.id).where(_has_grams(Customer, grams), customer_text(q))]
    if people:
        sets.append(select(KeyPerson.customer_id).where(_has_grams(KeyPerson, grams),
                                                        person_text(q)))
    return union(*sets) if len(sets) > 1 else sets[0]


def customer_query(flt: CustomerFilter, user: Any) -> Select:
    stmt = restrict(select(Customer), Customer, user)
    if flt.q:  # key people are archive content: found by them only with the right to the archive
        stmt = stmt.where(Customer.id.in_(matching_ids(flt.q, people=user.can("customers.view_archive"))))
    if flt.business_type:
        stmt = stmt.where(Customer.business_type == flt.business_type)
    if flt.region_id:
        stmt = stmt.where(Customer.region_id == flt.region_id)
    if flt.owner_id:
        stmt = stmt.where(Customer.owner_id == flt.owner_id)
    if flt.size_class:
        stmt = stmt.where(size_class_expression() == flt.size_class)
    if flt.kind in ("prospect", "customer"):
        stmt = stmt.where(Customer.is_prospect.is_(flt.kind == "prospect"))
    if flt.state:
        stmt = stmt.where(Customer.state == flt.state)
    if flt.overdue:
        stmt = stmt.where(overdue_verifications())
    for plugin_filter in flt.options.filters:
        if plugin_filter.key in flt.extra:
            stmt = stmt.where(plugin_filter.condition(flt.extra[plugin_filter.key]))
    return stmt


def sorted_query(stmt: Select, flt: CustomerFilter) -> Select:
    if flt.sort not in SORTS:  # a plugin column's expression; customers without a value last
        expression = flt.options.sorts[flt.sort]
        order = expression.desc() if flt.desc else expression.asc()
        return stmt.order_by(order.nulls_last(), Customer.code)
    columns = (size_class_expression(), Customer.code) if flt.sort == "size" else SORTS[flt.sort]
    if flt.sort in JOINED_SORTS:
        stmt = _joined(stmt, *JOINED_SORTS[flt.sort])
    return stmt.order_by(*[c.desc() if flt.desc else c for c in columns])


JOINED_SORTS = {"region": (Region, Customer.region_id), "owner": (User, Customer.owner_id)}


def _joined(stmt: Select, model: type, key: Any) -> Select:
    """Join the region or owner to sort by it. Only archives without one need the outer join, and
    it makes the database sort every archive; when the list holds none (the usual case, one cheap
    probe tells), the inner join walks the regions or owners in order, the archives of each by code
    through the (region_id, code) or (owner_id, code) index, and stops after the page."""
    orphans = stmt.with_only_columns(Customer.id).where(key.is_(None)).limit(1)
    if db.session.scalar(orphans) is not None:
        return stmt.outerjoin(model, model.id == key)
    return stmt.join(model, model.id == key)
