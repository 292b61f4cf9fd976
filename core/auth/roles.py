"""The roles of a customer-management department (DOMAIN.md), seeded on every install."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES: dict[str, object] = {
    "rep": _l("Sales representative"),
    "regional_manager": _l("Regional manager"),
    "specialist": _l("Customer-management specialist"),
    "cm_manager": _l("Customer-management manager"),
    "sales_manager": _l("Sales manager"),
    "marketing_manager": _l("Marketing manager"),
    "general_manager": _l("General manager"),
    "coordinator": _l("Business coordinator"),
    "weigher": _l("Weigher / inspector"),
    "warehouse_keeper": _l("Finished-goods warehouse keeper"),
    "qc": _l("QC department"),
    "production": _l("Production department"),
    "admin": _l("Administrator"),
}

# Roles that see every customer; the rest see their own or their region's.
DEPARTMENT_ROLES = tuple(code for code in ROLES if code not in ("rep", "regional_manager"))
# Roles that open the confidential archive (查阅管理): sales, customer management, management, and
# the coordinator who confirms customer data on orders. The shop floor (weigher, warehouse, QC,
# production) sees the delivery card only.
ARCHIVE_ROLES = ("rep", "regional_manager", "specialist", "cm_manager", "sales_manager", "marketing_manager",
                 "general_manager", "coordinator")
EVERYONE = tuple(ROLES)


def role_label(code: str) -> str:
    return str(ROLES.get(code, code))
