"""A third-party-style plugin with its own document under an approval chain, written only
against core.api: its chain, a resolver of its own, a threshold setting, a page and a PDF."""
from decimal import Decimal

from flask import Blueprint, render_template

from core.api import (
    ApprovalChain,
    Document,
    Domain,
    Parallel,
    Plugin,
    Queue,
    Resolver,
    Setting,
    Step,
    amount_above,
    approval_rounds,
    get_visible_or_404,
    hookimpl,
    reviewer,
    signature_rows,
    timeline,
)

N_ = Domain("expenses").mark
bp = Blueprint("expenses", __name__, url_prefix="/expenses")
EVENTS: list[tuple] = []  # what the plugin heard, for the tests


def _claim(claim_id):
    from tests.expenses_plugin.models import Claim

    return get_visible_or_404(Claim, claim_id)


@bp.route("/<int:claim_id>")
def claim_page(claim_id):
    claim = _claim(claim_id)
    return render_template("expenses/claim.html", claim=claim, rounds=approval_rounds(claim),
                           signatures=signature_rows(claim), events=timeline(claim))


def load_claim(claim_id, user):
    claim = _claim(claim_id)
    return {"claim": claim, "signatures": signature_rows(claim)}


def _status(value):
    def callback(claim, request, user):
        claim.status = value
    return callback


def chains():
    from tests.expenses_plugin.models import Claim

    link = lambda claim: f"/expenses/{claim.id}"  # noqa: E731
    common = dict(model=Claim, watched=("amount_cents", "purpose"), link=link,
                  reference=lambda claim: claim.number, budget_minutes=24 * 60,
                  on_submitted=_status("submitted"), on_approved=_status("approved"),
                  on_rejected=_status("rejected"), on_sent_back=_status("returned"),
                  on_voided=_status("changed"))
    return [
        ApprovalChain("expenses.claim", N_("Expense claim"), stages=[
            Step("manager", N_("Manager's review"), reviewer("applicants_manager")),
            Parallel("sign_off", N_("Department sign-off"), join="all", steps=[
                Step("finance", N_("Finance"), reviewer("department_head", "finance")),
                Step("qc", N_("Quality control"), reviewer("department_head", "qc")),
            ]),
            Step("gm", N_("General manager"), reviewer("general_manager"),
                 when=amount_above("expenses.gm_threshold", "amount_cents")),
        ], **common),
        ApprovalChain("expenses.quick", N_("Quick claim"), stages=[
            Parallel("either", N_("Either head"), join="any", steps=[
                Step("finance", N_("Finance"), reviewer("department_head", "finance")),
                Step("sales", N_("Sales"), reviewer("department_head", "sales")),
            ]),
            Step("cashier", N_("Cashier"), reviewer("expenses.cashier")),
        ], **common),
        ApprovalChain("expenses.queue", N_("Queue claim"), stages=[
            Step("specialists", N_("Specialists"), reviewer("role", "specialist")),
            Step("qc", N_("QC team"), reviewer("department", "qc")),
            Step("signers", N_("Signers"), reviewer("permission", "expenses.sign")),
        ], **common),
    ]


class ExpensesPlugin(Plugin):
    title = "Expenses"

    @hookimpl
    def register_blueprints(self, app):
        return [bp]

    @hookimpl
    def register_settings(self, app):
        return [Setting("expenses.gm_threshold", "decimal", Decimal("5000"), "GM above (yuan)", minimum=0)]

    @hookimpl
    def register_permissions(self, app):
        from core.api import Permission

        return [Permission("expenses.sign", "Sign expense claims", ("coordinator",))]

    @hookimpl
    def register_documents(self, app):
        return [Document("expense_claim", "Expense claim", "expenses/claim_pdf.html", "customers.view",
                         load_claim)]

    @hookimpl
    def register_approval_chains(self, app):
        return chains()

    @hookimpl
    def register_reviewer_resolvers(self, app):
        def cashier(record, applicant):
            return Queue.role("coordinator")

        return [Resolver("expenses.cashier", "The cashier", cashier)]

    @hookimpl
    def approval_decided(self, app, approval, step, decision, outcome, record, user):
        EVENTS.append(("decided", record.number, step.name, decision, outcome, user.username))

    @hookimpl
    def task_assigned(self, app, task):
        EVENTS.append(("assigned", task.id))

    @hookimpl
    def task_completed(self, app, task, user):
        EVENTS.append(("completed", task.id, task.decision))

    @hookimpl
    def task_overdue(self, app, task, stage):
        EVENTS.append(("overdue", task.id, stage))
