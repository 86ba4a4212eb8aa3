"""The evaluation's documents as attachments: the unit's self-evaluation report and each third-party expert's key
evaluation report (a multi-instance step) are linked to the evaluation when submitted and then readable by the
office, the unit and the drawn experts, and by nobody outside the project."""

from __future__ import annotations

import io

from tests.api.helpers import start
from tests.flows_evaluation.conftest import FULL, KEY, KEY_SCORE, REVIEW, SELF, county, self_form, wake_at
from tests.flows_goal_review.conftest import do, steps
from tests.flows_monitoring.conftest import JANUARY, approved_project
from tests.support import files

URL = "/api/v1/attachments"


def upload(user, content: bytes, name: str) -> int:
    resp = user.post(URL, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def score(opinion: str) -> dict:
    return {"execution": 9, "output": 45, "benefit": 27, "satisfaction": 9, "findings": "资料基本齐全",
            "opinion": opinion}


def test_self_and_key_evaluation_reports_are_linked_to_the_evaluation(app, users, flows, clock):
    clock.set(JANUARY)
    code = approved_project(users)
    iid = start(users["school1"], KEY, {"project_code": code})["id"]
    wake_at(clock, app, county(2027, 1, 16, 9))
    school = users["school1"]
    report = upload(school, files.DOCX, "绩效自评报告.docx")
    rows = self_form(school, iid, FULL, 95)
    do(school, iid, SELF, {"spent": 300000, "indicator_scores": rows, "explanation": "全部完成",
                           "self_report_files": [report]})
    for reader in ("perf", "fin_edu", "edu_head"):
        assert users[reader].get(f"{URL}/{report}").status_code == 200, reader
    assert users["water1"].get(f"{URL}/{report}").status_code == 404

    do(users["perf"], iid, REVIEW, {"review_decision": "key", "review_opinion": "列入重点评价",
                                     "key_reason": "县级重点民生项目", "draw_seed": "2027-009"})
    assert users["expert1"].get(f"{URL}/{report}").status_code == 200  # now drawn for this evaluation
    first = upload(users["expert1"], files.PDF, "重点评价报告.pdf")
    assert users["expert2"].get(f"{URL}/{first}").status_code == 404  # not yet submitted
    # Another expert cannot hand in a colleague's unsubmitted report as their own.
    refused = do(users["expert2"], iid, KEY_SCORE, {"key_review": score("同意"), "key_report_files": [first]},
                 expect=422)
    assert "key_report_files" in refused["fields"]
    do(users["expert1"], iid, KEY_SCORE, {"key_review": score("建议良好"), "key_report_files": [first]})
    for reader in ("expert2", "perf", "school1"):
        assert users[reader].get(f"{URL}/{first}").status_code == 200, reader
    assert users["water_head"].get(f"{URL}/{first}").status_code == 404
    do(users["expert2"], iid, KEY_SCORE, {"key_review": score("同意")})
    assert KEY_SCORE not in steps(users["expert2"], iid)
