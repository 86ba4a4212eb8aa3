"""Simplified Chinese by default, English when the user picks it (remembered for the user); never by the\nbrowser's Accept-Language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "server" / "translations"


def test_default_is_simplified_chinese(browser):
    page = browser("school1").get("/inbox").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "我的待办" in page and "My tasks" not in page


def test_language_switch_makes_the_whole_page_english_and_sticks(browser, county):
    b = browser("fin_edu")
    resp = b.post("/language", {"lang": "en", "next": "/inbox?view=claimable"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/inbox?view=claimable"
    page = b.get("/inbox?view=claimable").get_data(as_text=True)
    assert '<html lang="en">' in page
    for english in ("My tasks", "Open to claim", "Review queue", "Claim selected", "Log out", "Due date",
                    "Search project name or code", "Newest first", "No unread notices"):
        assert english in page, english
    for chinese in ("我的待办", "可认领", "认领所选", "退出登录", "截止日期", "搜索项目名称或编码"):
        assert chinese not in page, chinese
    # Data stays as entered; only the interface changes.
    assert "县第一中学理化生实验室设备购置" in page
    # Messages from the services are English too.
    b.post("/inbox/claim", {"next": "/inbox?view=claimable"})
    assert "Tick the tasks to claim first" in b.get("/inbox?view=claimable").get_data(as_text=True)
    bad = b.get("/inbox?view=claimable&sort=nope&due_from=31/03/2026").get_data(as_text=True)
    assert "Unknown sort order" in bad and "Dates are written YYYY-MM-DD" in bad

    b.post("/language", {"lang": "zh_Hans_CN", "next": "/inbox"})
    assert "我的待办" in b.get("/inbox").get_data(as_text=True)


def test_a_county_site_is_chinese_whatever_the_browser_asks(browser):
    """Issue 12.15: an English-asking browser got a Chinese login page and an English inbox after it."""
    english = {"Accept-Language": "en-US,en;q=0.9"}
    b = browser(None)
    page = b.get("/login", headers=english).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "用户名" in page and "Username" not in page
    b.post("/login", {"username": "school1", "password": "demo"}, headers=english)
    page = b.get("/inbox", headers=english).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "我的待办" in page and "欢迎" in page and "My tasks" not in page
    b.post("/language", {"lang": "klingon", "next": "/login"})  # unknown choices are ignored
    assert "我的待办" in b.get("/inbox", headers=english).get_data(as_text=True)


def _language_of(app, username: str) -> str | None:
    from sqlalchemy import select

    from server.db import db
    from server.models import User

    with app.app_context():
        return db.session.scalar(select(User.language).where(User.username == username))


def test_the_choice_is_remembered_for_the_user_and_holds_for_the_visit(app, browser):
    b = browser(None)
    b.get("/login")
    b.post("/language", {"lang": "en", "next": "/login"})  # picked on the login page ...
    assert "Username" in b.get("/login").get_data(as_text=True)
    b.post("/login", {"username": "school1", "password": "demo"})
    page = b.get("/inbox").get_data(as_text=True)
    assert "My tasks" in page and "Welcome" in page  # ... holds after login, welcome included
    assert _language_of(app, "school1") == "en"  # and is the user's now

    other = browser("school1")  # another browser: the user's choice follows them
    assert '<html lang="en">' in other.get("/inbox").get_data(as_text=True)
    other.post("/language", {"lang": "zh_Hans_CN", "next": "/inbox"})
    assert _language_of(app, "school1") == "zh_Hans_CN"
    assert "我的待办" in other.get("/inbox").get_data(as_text=True)
    other.post("/logout")
    assert "用户名" in other.get("/login").get_data(as_text=True)  # logging out does not switch language

    assert _language_of(app, "water1") is None  # nobody else's choice changed
    assert "我的待办" in browser("water1").get("/inbox").get_data(as_text=True)


def test_login_errors_are_english_in_english(browser):
    b = browser(None)
    b.post("/language", {"lang": "en", "next": "/login"}, csrf=False)  # refused: no token yet
    b.get("/login")
    b.post("/language", {"lang": "en", "next": "/login"})
    resp = b.post("/login", {"username": "school1", "password": "nope"})
    assert resp.status_code == 401 and "Wrong username or password" in resp.get_data(as_text=True)


def test_every_message_has_an_english_translation():
    """The catalog keeps up with the code: re-extract (see babel.cfg) and translate before shipping."""
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    english = read_po((TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb"), locale="en")
    missing = [m.id for m in template if m.id and (english.get(m.id) is None or not english.get(m.id).string
                                                   or english.get(m.id).fuzzy)]
    assert not missing, f"untranslated: {missing[:10]}"


def test_the_catalog_holds_every_message_in_the_code():
    """Strings added to the code or templates since the last extraction would stay Chinese in English."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = TRANSLATIONS.parents[1]
    with (root / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(root), method_map, options_map, keywords=keywords)}
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert not found - known, (
        "run: pybabel extract -F babel.cfg -k lazy_gettext -k _l -o server/translations/messages.pot . && "
        f"pybabel update -i server/translations/messages.pot -d server/translations; new: {sorted(found - known)[:10]}"
    )


def test_a_program_with_a_token_gets_its_users_language_unless_it_asks_for_one(app, browser, client):
    from tests.support.api import api_as

    b = browser("school1")
    b.post("/language", {"lang": "en", "next": "/inbox"})
    api = api_as(client, "school1")
    english = api.get("/api/v1/tasks/987654321").get_json()["message"]
    chinese = api.get("/api/v1/tasks/987654321", headers={"Accept-Language": "zh-CN"}).get_json()["message"]
    assert english.isascii() and not chinese.isascii(), (english, chinese)
    # Another user's token still speaks Chinese: the choice belongs to school1.
    assert not api_as(client, "water1").get("/api/v1/tasks/987654321").get_json()["message"].isascii()
