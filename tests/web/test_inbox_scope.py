"""Nobody sees or touches another organisation's tasks: not in a list, a count, a fragment or a filter."""

from __future__ import annotations

import re

from tests.web.conftest import add_user, open_task

FOREIGN_MARKERS = {
    "school1": ["水利"],
    "water1": ["第一中学"],
    "fin_edu": ["水利"],
    "fin_agri": ["第一中学"],
    "edu_head": ["水利"],
    "water_head": ["第一中学"],
}


def counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def test_each_user_sees_only_their_scope_in_every_tab_count_and_filter(browser, county):
    for username, foreign in FOREIGN_MARKERS.items():
        b = browser(username)
        for view in ("mine", "claimable", "done"):
            for extra in ("", "&sort=amount&per_page=100", "&q=县"):
                full = b.get(f"/inbox?view={view}{extra}")
                fragment = b.get(f"/inbox?view={view}{extra}", headers={"HX-Request": "true", "HX-Target": "inbox-list"})
                for resp in (full, fragment):
                    assert resp.status_code == 200
                    text = resp.get_data(as_text=True)
                    for word in foreign:
                        assert word not in text, (username, view, extra, word)


def test_tab_counts_match_what_each_role_may_do(browser, county):
    # school1's unfiled application is open to its unit staff; both filed ones wait for 教科文股, water's for 农业农村股.
    assert counts(browser("school1").get("/inbox").get_data(as_text=True)) == {"mine": 0, "claimable": 1, "done": 2}
    assert counts(browser("fin_edu").get("/inbox").get_data(as_text=True)) == {"mine": 0, "claimable": 2, "done": 0}
    assert counts(browser("fin_agri").get("/inbox").get_data(as_text=True)) == {"mine": 0, "claimable": 1, "done": 0}
    assert counts(browser("perf").get("/inbox").get_data(as_text=True)) == {"mine": 0, "claimable": 0, "done": 0}


def test_organisation_filter_offers_only_organisations_in_scope(browser, county):
    page = browser("fin_agri").get("/inbox?view=claimable").get_data(as_text=True)
    assert "县水利工程站" in page and "县水利局" in page and "县第一中学" not in page
    # Asking for another organisation's id by hand shows nothing of it.
    edu_unit = re.search(r'<option value="(\d+)">县第一中学', browser("fin_edu").get("/inbox").get_data(as_text=True))
    resp = browser("fin_agri").get(f"/inbox?view=claimable&org={edu_unit.group(1)}")
    assert resp.status_code == 200 and "共 0 项" in resp.get_data(as_text=True)


def test_claiming_or_releasing_another_organisations_task_is_refused(app, browser, county):
    edu_task = open_task(app, county["edu_repair"])
    water = browser("fin_agri")
    resp = water.post(f"/inbox/tasks/{edu_task}/claim")
    assert resp.status_code == 404 and "任务不存在" in resp.get_data(as_text=True)
    assert "县第一中学" not in resp.get_data(as_text=True)

    edu = browser("fin_edu")
    assert edu.post(f"/inbox/tasks/{edu_task}/claim").status_code == 303
    # Another sector and the unit that filed it do not even see it; a colleague of the section may not release it.
    assert water.post(f"/inbox/tasks/{edu_task}/unclaim").status_code == 404
    assert browser("school1").post(f"/inbox/tasks/{edu_task}/unclaim").status_code == 404
    add_user(app, "fin_edu2", like="fin_edu")
    resp = browser("fin_edu2").post(f"/inbox/tasks/{edu_task}/unclaim")
    assert resp.status_code == 403 and "只能放回自己认领的任务" in resp.get_data(as_text=True)
    assert counts(edu.get("/inbox").get_data(as_text=True))["mine"] == 1


def test_bulk_claim_of_foreign_tasks_claims_nothing_and_says_nothing_about_them(app, browser, county):
    water_task = open_task(app, county["water_canal"])
    edu = browser("fin_edu")
    resp = edu.post("/inbox/claim", {"task_ids": [str(water_task)], "next": "/inbox?view=claimable"})
    assert resp.status_code == 303
    page = edu.get("/inbox?view=claimable").get_data(as_text=True)
    assert "任务不存在或无权认领" in page and "渠道清淤" not in page
    assert counts(browser("fin_agri").get("/inbox").get_data(as_text=True)) == {"mine": 0, "claimable": 1, "done": 0}


def test_notices_reach_only_their_organisation_and_role(app, browser, clock):
    from server.db import db
    from server.models import Notification, Organisation

    with app.app_context():
        orgs = {o.code: o.id for o in db.session.query(Organisation)}
        rows = [
            Notification(organisation_id=orgs["jyj_yz"], role="unit_staff", kind="reminder",
                         text="请于 1 月 10 日前填报 12 月绩效监控报告", created_at=clock.now()),
            Notification(organisation_id=orgs["slj_gcz"], role="unit_staff", kind="reminder",
                         text="水利工程站监控报告逾期", created_at=clock.now()),
            Notification(organisation_id=None, role="performance_office", kind="escalation",
                         text="县第一中学监控报告逾期未报，已上报绩效管理股", created_at=clock.now()),
        ]
        db.session.add_all(rows)
        db.session.commit()
        school_notice, water_notice = rows[0].id, rows[1].id

    school = browser("school1")
    page = school.get("/inbox").get_data(as_text=True)
    assert "请于 1 月 10 日前填报" in page and "水利工程站" not in page and "已上报绩效管理股" not in page
    assert "已上报绩效管理股" in browser("perf").get("/inbox").get_data(as_text=True)
    assert "已上报绩效管理股" not in browser("fin_edu").get("/inbox").get_data(as_text=True)

    # Someone else's notice cannot be marked read; one's own can, and then leaves the panel.
    assert school.post(f"/notifications/{water_notice}/read").status_code == 404
    resp = school.post(f"/notifications/{school_notice}/read", headers={"HX-Request": "true"})
    assert resp.status_code == 200 and resp.get_data(as_text=True) == ""
    assert "请于 1 月 10 日前填报" not in school.get("/inbox").get_data(as_text=True)
    assert "水利工程站监控报告逾期" in browser("water1").get("/inbox").get_data(as_text=True)


def test_mark_all_read_clears_only_the_users_own_notices(app, browser, clock):
    from server.db import db
    from server.models import Notification, Organisation

    with app.app_context():
        orgs = {o.code: o.id for o in db.session.query(Organisation)}
        db.session.add_all([
            Notification(organisation_id=orgs["jyj_yz"], role="unit_staff", kind="reminder",
                         text=f"第一中学提醒 {i}", created_at=clock.now()) for i in range(3)
        ] + [Notification(organisation_id=orgs["slj_gcz"], role="unit_staff", kind="reminder",
                          text="水利工程站提醒", created_at=clock.now())])
        db.session.commit()

    school = browser("school1")
    page = school.get("/inbox").get_data(as_text=True)
    assert page.count("第一中学提醒") == 3 and "全部标记已读" in page
    resp = school.post("/notifications/read-all", {"next": "/inbox"})
    assert resp.status_code == 303
    page = school.get("/inbox").get_data(as_text=True)
    assert "第一中学提醒" not in page and "已将 3 条提醒标记为已读" in page
    assert "水利工程站提醒" in browser("water1").get("/inbox").get_data(as_text=True)  # others' stay unread
    assert school.post("/notifications/read-all", {"next": "/inbox"}, csrf=False).status_code == 400


def test_pages_need_a_login(browser):
    anonymous = browser(None)
    for path in ("/inbox", "/inbox?view=claimable", "/projects"):
        resp = anonymous.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    anonymous.get("/login")  # a valid CSRF token, but no session
    assert anonymous.post("/inbox/claim", {"task_ids": ["1"]}).status_code == 302


def test_project_list_shows_only_visible_projects(app, browser, clock):
    from server.db import db
    from server.models import Organisation, Project, ProjectStatus

    with app.app_context():
        orgs = {o.code: o for o in db.session.query(Organisation)}
        for code, name, org in (("P-EDU-1", "县第一中学图书馆扩建", "jyj_yz"), ("P-WAT-1", "县水利工程站水闸加固", "slj_gcz")):
            unit = orgs[org]
            db.session.add(Project(code=code, name=name, organisation_id=unit.id, department_id=unit.parent_id,
                                   sector=unit.sector, status=ProjectStatus.APPLIED, created_at=clock.now()))
        db.session.commit()
    school = browser("school1").get("/projects").get_data(as_text=True)
    assert "我的项目" in school and "图书馆扩建" in school and "水闸加固" not in school
    agri = browser("fin_agri").get("/projects").get_data(as_text=True)
    assert "归口项目" in agri and "水闸加固" in agri and "图书馆扩建" not in agri
    assert browser("expert1").get("/projects").status_code == 403
    assert "项目库" in browser("perf").get("/projects").get_data(as_text=True)


def test_finance_and_department_notices_follow_the_instance_scope(app, browser, county, clock):
    from server.db import db
    from server.models import Notification

    with app.app_context():
        for key, sector_word in (("edu_repair", "教育项目"), ("water_canal", "水利项目")):
            iid = county[key]["id"]
            db.session.add_all([
                Notification(role="finance_section", kind="calendar", instance_id=iid,
                             text=f"{sector_word}10月底仍未破零", created_at=clock.now()),
                Notification(role="dept_reviewer", kind="escalation", instance_id=iid,
                             text=f"{sector_word}整改逾期", created_at=clock.now()),
            ])
        db.session.commit()

    seen = {name: browser(name).get("/inbox").get_data(as_text=True)
            for name in ("fin_edu", "fin_agri", "edu_head", "water_head", "school1")}
    assert "教育项目10月底仍未破零" in seen["fin_edu"] and "水利项目10月底" not in seen["fin_edu"]
    assert "水利项目10月底仍未破零" in seen["fin_agri"] and "教育项目10月底" not in seen["fin_agri"]
    assert "教育项目整改逾期" in seen["edu_head"] and "水利项目整改逾期" not in seen["edu_head"]
    assert "水利项目整改逾期" in seen["water_head"] and "教育项目整改逾期" not in seen["water_head"]
    assert "仍未破零" not in seen["school1"] and "整改逾期" not in seen["school1"]
