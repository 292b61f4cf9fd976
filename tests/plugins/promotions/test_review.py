"""A promotion's review on the work engine: the path by budget, filing, send-back and resubmission,
the reviewers kept from submission, edits voiding approvals, four eyes, and ``promotion_approved``."""
import pytest
from sqlalchemy import select

from core.approvals import ApprovalStep, approval_rounds, latest_request
from core.db import db
from core.events import commit
from core.notifications import Notification
from core.org import Department
from core.tasks import TaskRefused, complete_task, my_open_tasks
from plugins.promotions.services import PromotionRefused, submit
from tests.plugins.promotions.conftest import application
from tests.plugins.promotions.listener import plugin as listener
from tests.plugins.promotions.listener.plugin import ListenerPlugin

pytestmark = pytest.mark.guanxi_plugins("promotions", "listener", extra={"listener": ListenerPlugin})


def open_task(promotion, user):
    found = [r.task for r in my_open_tasks(user) if r.task.record_id == promotion.id
             and r.task.record_type == "promotions_promotions" and r.task.kind == "approval"]
    assert found, f"{user.username} has no open task on {promotion.number}"
    return found[0]


def decide(promotion, user, decision="approved", comment=""):
    complete_task(open_task(promotion, user), user, decision, comment)
    commit()


def steps(promotion):
    request = latest_request(promotion, "promotions.application")
    return {s.name: s for s in db.session.scalars(select(ApprovalStep).where(ApprovalStep.request_id == request.id))}


def submitted(org, customers, **values):
    promotion = application(org, **values)
    submit(promotion, org[values.get("who", "rep")])
    commit()
    return promotion


@pytest.mark.parametrize(("budget", "reviewers"), [
    (2000, ["cm_head"]),                       # up to 2 000 yuan the department manager is final
    (2001, ["cm_head", "mk_head"]),            # above: the marketing manager too
    (10000, ["cm_head", "mk_head"]),           # up to 10 000 the marketing manager is final
    (10001, ["cm_head", "mk_head", "gm"]),     # above: the general manager too
])
def test_the_chain_is_shortened_by_the_budget(org, customers, budget, reviewers):
    listener.APPROVED.clear()
    promotion = submitted(org, customers, budget_yuan=budget)
    assert promotion.state == "submitted"
    for position, name in enumerate(reviewers):
        assert promotion.state == "submitted" and not listener.APPROVED
        others = [n for n in ("cm_head", "mk_head", "gm") if n != name]
        assert all(not [r for r in my_open_tasks(org[n]) if r.task.kind == "approval"] for n in others)
        decide(promotion, org[name])
        assert steps(promotion)[("department", "marketing", "general")[position]].state == "approved"
    assert promotion.state == "approved"
    assert listener.APPROVED == [(promotion.id, "approved")]
    skipped = {"department", "marketing", "general"} - {s for s, st in steps(promotion).items() if st.state == "approved"}
    assert all(steps(promotion)[name].state == "skipped" for name in skipped)
    # the department files it: anyone of its queue but the applicant, and those concerned hear of it
    decide(promotion, org["spec1"])
    assert promotion.state == "filed" and promotion.filed_by_id == org["spec1"].id
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.subject.like("%is approved and filed%"))))
    assert {org["rep"].id, org["rm"].id} <= told


def test_each_step_tells_the_next_reviewer(org, customers):
    promotion = submitted(org, customers, budget_yuan=20000)
    inbox = lambda name: db.session.scalar(select(Notification).where(  # noqa: E731
        Notification.user_id == org[name].id).order_by(Notification.id.desc()))
    assert inbox("cm_head") is not None and inbox("mk_head") is None
    decide(promotion, org["cm_head"])
    assert inbox("mk_head") is not None and inbox("gm") is None
    decide(promotion, org["mk_head"])
    assert inbox("gm") is not None


def test_send_back_returns_it_to_the_applicant_and_resubmission_keeps_the_history(org, customers):
    promotion = submitted(org, customers, budget_yuan=5000)
    decide(promotion, org["cm_head"])
    with pytest.raises(TaskRefused):
        complete_task(open_task(promotion, org["mk_head"]), org["mk_head"], "sent_back", "")  # a comment is needed
    db.session.rollback()
    decide(promotion, org["mk_head"], "sent_back", "预算明细不清")
    assert promotion.state == "sent_back"
    assert [r.task.kind for r in my_open_tasks(org["rep"])] == ["approval_resubmit"]
    submit(promotion, org["rep"], "已补充预算明细")
    commit()
    assert promotion.state == "submitted"
    rounds = approval_rounds(promotion)
    assert [r.request.round for r in rounds] == [2, 1]
    assert rounds[1].request.state == "sent_back"
    assert any(s.comment == "预算明细不清" for s in rounds[1].steps)
    assert not [r for r in my_open_tasks(org["rep"]) if r.task.kind == "approval_resubmit"]
    decide(promotion, org["cm_head"])
    decide(promotion, org["mk_head"])
    assert promotion.state == "approved"


def test_a_rejection_ends_it(org, customers):
    promotion = submitted(org, customers, budget_yuan=500)
    decide(promotion, org["cm_head"], "declined", "与公司政策不符")
    assert promotion.state == "rejected"
    with pytest.raises(PromotionRefused):
        submit(promotion, org["rep"])


def test_reviewers_are_fixed_at_submission(org, customers):
    promotion = submitted(org, customers, budget_yuan=5000)
    assert steps(promotion)["marketing"].reviewer_id == org["mk_head"].id
    marketing = db.session.scalar(select(Department).where(Department.code == "marketing"))
    marketing.head_id = org["mk2"].id
    db.session.commit()
    decide(promotion, org["cm_head"])
    decide(promotion, org["mk_head"])  # still the one asked at submission
    assert promotion.state == "approved"
    later = submitted(org, customers, budget_yuan=5000, title="第二次")
    assert steps(later)["marketing"].reviewer_id == org["mk2"].id


@pytest.mark.parametrize("change", ["budget", "targets"])
def test_editing_an_approved_application_voids_the_approval(org, customers, change):
    from plugins.promotions.services import load_promotion, save_application
    from tests.plugins.promotions.conftest import data_of

    promotion = submitted(org, customers, budget_yuan=1500)
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    assert promotion.state == "filed"
    data = data_of(promotion, "E-A1, E-A2")
    if change == "budget":
        data.budget_cents = 300_000
    else:
        data.target_codes = "E-A1, E-A2, E-A3"
    save_application(data, org["rep"], load_promotion(promotion.id, org["rep"], lock=True))
    commit()
    rounds = approval_rounds(promotion)
    assert [r.request.state for r in rounds] == ["pending", "voided"]
    assert promotion.state == "submitted"
    assert open_task(promotion, org["cm_head"])
    if change == "budget":  # the new budget takes the longer path
        assert steps(promotion)["marketing"].state == "waiting"


def test_an_edit_that_changes_nothing_keeps_the_approval(org, customers):
    from plugins.promotions.services import load_promotion, save_application
    from tests.plugins.promotions.conftest import data_of

    promotion = submitted(org, customers, budget_yuan=1500)
    decide(promotion, org["cm_head"])
    save_application(data_of(promotion, "E-A2, E-A1"), org["rep"], load_promotion(promotion.id, org["rep"], lock=True))
    commit()
    assert promotion.state == "approved" and latest_request(promotion).state == "pending"  # filing still to come


def test_four_eyes_nobody_reviews_their_own_application(org, customers):
    promotion = submitted(org, customers, who="cm_head", budget_yuan=1500, region_id=org["rep"].region_id)
    department = steps(promotion)["department"]
    assert department.reviewer_id == org["gm"].id and department.fallback == "four_eyes"
    assert not [r for r in my_open_tasks(org["cm_head"]) if r.task.kind == "approval"]
    decide(promotion, org["gm"])
    # filing goes to the department's queue: the applicant is in it, but may not file
    task = open_task(promotion, org["spec1"])
    with pytest.raises(TaskRefused):
        complete_task(task, org["cm_head"], "approved")
    db.session.rollback()
    decide(promotion, org["spec2"])
    assert promotion.state == "filed"


def test_only_the_applicant_submits_and_a_promotion_needs_targets(org, customers):
    promotion = application(org, codes="")
    with pytest.raises(PromotionRefused):
        submit(promotion, org["rep"])
    other = application(org)
    with pytest.raises(PromotionRefused):
        submit(other, org["rm"])


def test_the_applicant_withdraws_and_the_reviewers_tasks_go(org, customers):
    from plugins.promotions.services import withdraw

    promotion = submitted(org, customers, budget_yuan=5000)
    with pytest.raises(PromotionRefused):
        withdraw(promotion, org["rm"])  # only the applicant
    db.session.rollback()
    withdraw(promotion, org["rep"])
    commit()
    assert promotion.state == "draft" and latest_request(promotion).state == "withdrawn"
    assert not [r for r in my_open_tasks(org["cm_head"]) if r.task.kind == "approval"]
    submit(promotion, org["rep"])
    commit()
    assert promotion.state == "submitted" and latest_request(promotion).round == 2


def kinds(user):
    return sorted(r.task.kind for r in my_open_tasks(user) if r.task.record_type == "promotions_promotions")


def test_after_filing_the_applicant_then_the_department_have_their_follow_up(org, customers):
    from datetime import timedelta

    from core.clock import local_day_bounds, local_now
    from plugins.promotions.services import complete, save_evaluation

    start = local_now().date() + timedelta(days=10)
    promotion = submitted(org, customers, budget_yuan=1500, period_start=start, period_end=start + timedelta(days=29))
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    task = next(r.task for r in my_open_tasks(org["rep"]) if r.task.kind == "promotions.complete")
    due = local_day_bounds(start + timedelta(days=36))[1]  # a week after the period's last day
    assert abs(task.due_at - due) < timedelta(minutes=2)
    complete(promotion, org["rep"], "achieved", "完成")
    commit()
    assert kinds(org["rep"]) == []
    assert kinds(org["spec2"]) == ["promotions.evaluate"]  # the department's queue
    save_evaluation(promotion, org["spec2"], {"execution_summary": "好", "achievement_summary": "好"})
    commit()
    assert kinds(org["spec1"]) == [] and kinds(org["spec2"]) == []


def test_an_edit_of_a_filed_promotion_takes_back_its_follow_up(org, customers):
    from plugins.promotions.services import load_promotion, save_application
    from tests.plugins.promotions.conftest import data_of

    promotion = submitted(org, customers, budget_yuan=1500)
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    assert kinds(org["rep"]) == ["promotions.complete"]
    data = data_of(promotion, "E-A1")
    save_application(data, org["rep"], load_promotion(promotion.id, org["rep"], lock=True))
    commit()
    assert promotion.state == "submitted" and kinds(org["rep"]) == []
