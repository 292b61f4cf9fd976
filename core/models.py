"""Every core model, imported in one place so Alembic and the app always see the full schema."""
from core.audit import AuditEvent
from core.auth.models import KnownPermission, Region, Role, RolePermission, User, user_roles
from core.calendar import CalendarDay
from core.jobs import JobRun
from core.notifications import Notification, NotificationRead
from core.numbering import Sequence
from core.registry.models import (
    ContactLog,
    Contract,
    Customer,
    Evaluation,
    ImportantDate,
    KeyPerson,
    MarketingPlan,
    SecondaryCustomer,
)
from core.settings.store import CompanySetting

__all__ = ["AuditEvent", "CalendarDay", "CompanySetting", "ContactLog", "Contract", "Customer", "Evaluation", "ImportantDate", "JobRun", "KeyPerson",
           "MarketingPlan", "SecondaryCustomer", "KnownPermission", "Notification", "NotificationRead", "Region",
           "Role", "RolePermission", "Sequence", "User", "user_roles"]
