"""Every core model, imported in one place so Alembic and the app always see the full schema."""
from core.approvals import ApprovalRequest, ApprovalStep
from core.audit import AuditEvent
from core.auth.models import KnownPermission, Region, Role, RolePermission, User, user_roles
from core.calendar import CalendarDay
from core.jobs import JobRun
from core.notifications import Notification, NotificationRead
from core.numbering import Sequence
from core.org import Department
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
from core.tasks import Task, TaskWatcher

__all__ = ["ApprovalRequest", "ApprovalStep", "AuditEvent", "CalendarDay", "CompanySetting", "ContactLog", "Contract",
           "Customer", "Department", "Evaluation", "ImportantDate", "JobRun", "KeyPerson", "Task", "TaskWatcher",
           "MarketingPlan", "SecondaryCustomer", "KnownPermission", "Notification", "NotificationRead", "Region",
           "Role", "RolePermission", "Sequence", "User", "user_roles"]
