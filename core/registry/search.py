"""The customer list query: search, filters and sorting, shared by the list page and exports."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, exists, or_, select

from core.auth.models import Region, User
from core.db import utcnow
from core.inputs import id_arg
from core.registry.models import Customer, KeyPerson
from core.visibility import restrict

OVERDUE_DAYS = 30
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


@dataclass
class CustomerFilter:
    q: str = ""
    business_type: str = ""
    region_id: int | None = None
    owner_id: int | None = None
    size_class: str = ""
    kind: str = ""  # "prospect" | "customer"
    state: str = ""
    overdue: bool = False
    sort: str = "code"
    desc: bool = False

    @classmethod
    def from_args(cls, args: Any) -> CustomerFilter:
        return cls(
            q=args.get("q", "").strip()[:100], business_type=args.get("business_type", ""),
            region_id=id_arg(args, "region_id"), owner_id=id_arg(args, "owner_id"),
            size_class=args.get("size_class", ""), kind=args.get("kind", ""), state=args.get("state", ""),
            overdue=args.get("overdue") == "1", sort=args.get("sort", "code") if args.get("sort") in SORTS else "code",
            desc=args.get("desc") == "1",
        )

    def as_args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments reproducing this filter (for links and exports)."""
        values = {**asdict(self), **changes}
        values["overdue"] = "1" if values["overdue"] else ""
        values["desc"] = "1" if values["desc"] else ""
        return {key: value for key, value in values.items() if value not in ("", None, False)}


def text_condition(q: str, people: bool) -> Any:
    """Code, name, phones, pinyin initials of the name, or (with ``people``) a key person's name
    or phone."""
    like = f"%{q}%"
    conditions = [Customer.code.ilike(like), Customer.name.ilike(like), Customer.phone.ilike(like),
                  Customer.mobile.ilike(like), Customer.name_initials.like(f"%{q.lower()}%")]
    if people:
        conditions.append(exists().where(KeyPerson.customer_id == Customer.id,
                                         or_(KeyPerson.name.ilike(like), KeyPerson.phone.ilike(like))))
    return or_(*conditions)


def customer_query(flt: CustomerFilter, user: Any) -> Select:
    stmt = restrict(select(Customer), Customer, user)
    if flt.q:  # key people are archive content: found by them only with the right to the archive
        stmt = stmt.where(text_condition(flt.q, people=user.can("customers.view_archive")))
    if flt.business_type:
        stmt = stmt.where(Customer.business_type == flt.business_type)
    if flt.region_id:
        stmt = stmt.where(Customer.region_id == flt.region_id)
    if flt.owner_id:
        stmt = stmt.where(Customer.owner_id == flt.owner_id)
    if flt.size_class:
        stmt = stmt.where(Customer.size_class == flt.size_class)
    if flt.kind in ("prospect", "customer"):
        stmt = stmt.where(Customer.is_prospect.is_(flt.kind == "prospect"))
    if flt.state:
        stmt = stmt.where(Customer.state == flt.state)
    if flt.overdue:
        stmt = stmt.where(overdue_condition())
    return stmt


def overdue_condition() -> Any:
    """Submitted and still not verified after a month."""
    return (Customer.state == "submitted") & (Customer.state_changed_at < utcnow() - timedelta(days=OVERDUE_DAYS))


def sorted_query(stmt: Select, flt: CustomerFilter) -> Select:
    columns = SORTS[flt.sort]
    if flt.sort == "region":
        stmt = stmt.outerjoin(Region, Region.id == Customer.region_id)
    elif flt.sort == "owner":
        stmt = stmt.outerjoin(User, User.id == Customer.owner_id)
    return stmt.order_by(*[c.desc() if flt.desc else c for c in columns])
