"""The `jixiao` command: init, run, serve, worker, deploy, simulate (plus Flask's `db`, `shell` and `routes`).

The same commands are registered on the app's Flask CLI, so `flask --app server init` works as well.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from server import embedded_lock

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS_DIR = ROOT / "workflows"
FORMS_DIR = ROOT / "forms"
DEPLOYABLE = (".bpmn", ".bpmn20.xml", ".dmn", ".json")
FORM_PROPERTIES = {"formJsonSchemaFilename", "formUiSchemaFilename"}


# ---------------------------------------------------------------- what to deploy


@dataclass
class Package:
    """One process model's files, as `deploy_version` takes them."""

    key: str
    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # forms the BPMN names but nobody could find


def _is_bpmn(name: str) -> bool:
    return name.lower().endswith((".bpmn", ".bpmn20.xml"))


def _stem(path: Path) -> str:
    """payment.bpmn20.xml -> payment (a key from a file name)."""
    name = path.name
    return name[: -len(".bpmn20.xml")] if name.lower().endswith(".bpmn20.xml") else path.stem


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _references(bpmn: bytes) -> tuple[set[str], set[str]]:
    """(form filenames, decision ids) a BPMN file refers to through spiff extensions."""
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(bpmn)
    except Exception:  # unparsable XML: deploy-time validation reports it properly
        return set(), set()
    forms: set[str] = set()
    decisions: set[str] = set()
    for el in root.iter():
        name = _local(el.tag)
        if name == "property" and el.get("name") in FORM_PROPERTIES and el.get("value"):
            forms.add(el.get("value", ""))
        elif name == "calledDecisionId" and (el.text or "").strip():
            decisions.add(el.text.strip().strip("'\""))
    return forms, decisions


def _decision_ids(dmn: bytes) -> set[str]:
    from defusedxml.ElementTree import fromstring

    try:
        return {el.get("id", "") for el in fromstring(dmn).iter() if _local(el.tag) == "decision"}
    except Exception:
        return set()


def _add_referenced(package: Package, search: Iterable[Path]) -> None:
    """Add the forms and DMN tables the package's BPMN files name, from `search` folders in order."""
    dirs = [d for d in search if d.is_dir()]
    for name in [n for n in package.files if _is_bpmn(n)]:
        forms, decisions = _references(package.files[name])
        for form in sorted(forms - package.files.keys()):
            found = next((d / form for d in dirs if (d / form).is_file()), None)
            if found is None:
                package.missing.append(form)
            else:
                package.files[form] = found.read_bytes()
        for d in dirs[:1]:  # decision tables live beside their diagram
            for dmn in sorted(d.glob("*.dmn")):
                if dmn.name not in package.files and _decision_ids(dmn.read_bytes()) & decisions:
                    package.files[dmn.name] = dmn.read_bytes()


def package_from_dir(folder: Path, key: str | None = None) -> Package:
    """A folder is one flow: every .bpmn/.dmn/.json in it, plus the forms it names from forms/<folder name>/
    (where the shipped flows keep theirs) or forms/."""
    package = Package(key or folder.name)
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name.lower().endswith(DEPLOYABLE):
            package.files[path.name] = path.read_bytes()
    _add_referenced(package, [folder, FORMS_DIR / folder.name, FORMS_DIR])
    return package


def package_from_files(paths: list[Path], key: str | None = None) -> Package:
    """Loose files are one flow named after its (first) BPMN; named forms and DMN come from its folder
    and forms/."""
    bpmns = [p for p in paths if _is_bpmn(p.name)]
    package = Package(key or _stem(bpmns[0] if bpmns else paths[0]))
    for path in paths:
        package.files[path.name] = path.read_bytes()
    home = (bpmns or paths)[0].parent
    _add_referenced(package, [home, FORMS_DIR / home.name, FORMS_DIR])
    return package


def shipped_packages(root: Path = WORKFLOWS_DIR) -> list[Package]:
    """The flows shipped under workflows/: each subfolder with a BPMN, and each top-level BPMN file."""
    if not root.is_dir():
        return []
    packages = [package_from_dir(d) for d in sorted(root.iterdir()) if d.is_dir() and any(d.glob("*.bpmn"))]
    packages += [package_from_files([f]) for f in sorted(root.glob("*.bpmn"))]
    return packages


def deploy_package(package: Package, **options: object) -> bool:
    """Deploy one package, reporting in Chinese; False when validation refused it. `options`: deploy_version's
    lane_roles / default_role / start_role."""
    from server.scheduler import default_locale

    with default_locale(current_app):
        return _deploy(package, **options)


def _deploy(package: Package, **options: object) -> bool:
    from sqlalchemy import select

    from server.db import db
    from server.models import ProcessModel
    from server.services.deployment import deploy_version
    from server.services.errors import ValidationFailed

    if package.missing:
        click.echo(f"✗ {package.key}：找不到表单文件 {', '.join(package.missing)}", err=True)
        return False
    before = db.session.scalar(select(ProcessModel.current_version_id).where(ProcessModel.key == package.key))
    try:
        version = deploy_version(package.key, package.files, **options)  # type: ignore[arg-type]
    except ValidationFailed as err:
        db.session.rollback()
        click.echo(f"✗ {package.key}：{err.message}", err=True)
        for name, message in err.fields.items():
            click.echo(f"    {name}：{message}", err=True)
        return False
    if version.id == before:
        click.echo(f"· {package.key}：内容未变化，仍为第 {version.number} 版")
    else:
        click.echo(f"✓ {package.key}：已部署第 {version.number} 版（{len(package.files)} 个文件）")
    return True


# ---------------------------------------------------------------- commands


def _migrate() -> None:
    from flask_migrate import upgrade

    upgrade()


@click.command("init")
@click.option("--demo", is_flag=True, help="同时创建演示县的组织和用户（密码 demo）。")
@with_appcontext
def init_command(demo: bool) -> None:
    """迁移数据库到最新版本，部署 workflows/ 下的流程，可选创建演示数据。"""
    _migrate()
    click.echo("✓ 数据库已迁移到最新版本")
    if demo:
        from server.services.demo import seed_demo

        seed_demo()
        click.echo("✓ 演示县的组织和用户已就绪（密码均为 demo）")
    packages = shipped_packages()
    results = [deploy_package(p) for p in packages]
    if not packages:
        click.echo("· workflows/ 下还没有流程，跳过部署")
    if not all(results):
        raise SystemExit(1)
    if demo:
        _seed_demo_year()  # after deploying: the year walks the shipped flows


def _seed_demo_year(year: int | None = None) -> None:
    from server.db import db
    from server.services.demo_year import DemoYearError, describe, seed_year

    db.session.commit()  # the year is played by a second app (with a movable clock) on the same database
    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        click.echo(describe(seed_year(app, year=year, progress=click.echo)))
    except DemoYearError as err:
        click.echo(f"✗ {err}", err=True)
        raise SystemExit(1) from err


@click.command("simulate")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="要模拟的财政年度，如 2026。")
@with_appcontext
def simulate_command(year: int) -> None:
    """在已部署流程的数据库上，以加速时间模拟演示县一个财政年度（已模拟过的年度不会重复生成）。

    请在 jixiao run / worker 停止时运行：它们按真实时间触发计时器，会打乱模拟中的流程。
    """
    _seed_demo_year(year)


@click.command("deploy")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--key", help="流程标识（默认：文件夹名或 BPMN 文件名）。")
@click.option("--lane-role", "lane_roles", multiple=True, metavar="泳道=角色",
              help="把图中的泳道映射到角色代码，如 --lane-role Manager=dept_reviewer（可重复）。")
@click.option("--default-role", help="其余泳道及泳道外人工任务的角色代码。")
@click.option("--start-role", help="可发起此流程的角色代码（默认：开始事件所在泳道的角色；无泳道时为系统管理员）。")
@with_appcontext
def deploy_command(paths: tuple[Path, ...], key: str | None, lane_roles: tuple[str, ...],
                   default_role: str | None, start_role: str | None) -> None:
    """部署一个流程：一个文件夹，或若干 .bpmn/.bpmn20.xml/.dmn/.json 文件。"""
    mapping: dict[str, str] = {}
    for pair in lane_roles:
        lane, sep, role = pair.rpartition("=")
        if not sep or not lane.strip():
            raise click.UsageError(f"--lane-role 应写成 泳道=角色：{pair}")
        mapping[lane.strip()] = role.strip()
    if len(paths) == 1 and paths[0].is_dir():
        package = package_from_dir(paths[0], key)
    elif any(p.is_dir() for p in paths):
        raise click.UsageError("请给出一个文件夹，或若干文件，不要混用")
    else:
        package = package_from_files(list(paths), key)
    if not deploy_package(package, lane_roles=mapping or None, default_role=default_role, start_role=start_role):
        raise SystemExit(1)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=5000, show_default=True, type=int, help="监听端口。")
@click.option("--threads", default=8, show_default=True, type=int, help="处理请求的线程数。")
@with_appcontext
def run_command(host: str, port: int, threads: int) -> None:
    """启动网页和接口服务，并在进程内定时唤醒到期的计时器。"""
    from waitress import serve

    from server.scheduler import TimerScheduler

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    _hold_embedded_database(app)
    _migrate()
    scheduler = TimerScheduler(app).start()
    # SIGTERM (systemd, docker stop) stops as cleanly as Ctrl+C: the scheduler finishes its pass first.
    signal.signal(signal.SIGTERM, _interrupt)
    click.echo(f"绩效 Jixiao 正在运行：http://{host}:{port}/ （按 Ctrl+C 停止）")
    try:
        serve(app, host=host, port=port, threads=threads, ident="jixiao")
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()
        embedded_lock.release()
    click.echo("绩效 Jixiao 已停止")


def _hold_embedded_database(app: Flask) -> None:
    """One server process per SQLite file (server/embedded_lock.py): a second one stops here."""
    try:
        embedded_lock.hold(app.config["SQLALCHEMY_DATABASE_URI"])
    except embedded_lock.EmbeddedDatabaseBusy as err:
        raise click.ClickException(
            f"嵌入式数据库 {err.path} 已被另一个 jixiao 进程（pid {err.holder}）使用。SQLite 只支持一个服务进程："
            "请先停止那个进程；要运行多个进程，请设置 DATABASE_URL 使用 PostgreSQL（见 README“生产部署”）。"
        ) from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8000, show_default=True, type=int, help="监听端口。")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="工作进程数。")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="每个进程的线程数。")
@click.option("--timeout", default=60, show_default=True, type=click.IntRange(5, 3600),
              help="一个请求最长处理秒数，超时的工作进程被重启。")
@with_appcontext
def serve_command(host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    """生产部署用的网页和接口服务（gunicorn，多进程 × 多线程），不运行计时器：请另外启动 jixiao worker。"""
    from server import gunicorn_app

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if embedded_lock.sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"]) is not None:
        if workers > 1:
            raise click.UsageError("嵌入式数据库（SQLite）只支持一个进程：请用 --workers 1，"
                                   "或设置 DATABASE_URL 使用 PostgreSQL")
        _hold_embedded_database(app)
    _migrate()
    click.echo(f"绩效 Jixiao（{workers} 个进程 × {threads} 个线程，无计时器）：http://{host}:{port}/")
    gunicorn_app.serve(app, host=host, port=port, workers=workers, threads=threads, timeout=timeout)
    embedded_lock.release()
    click.echo("绩效 Jixiao 已停止")


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@click.command("worker")
@click.option("--once", is_flag=True, help="处理完当前到期的计时器，打印唤醒的实例数后退出。")
@click.option("--poll", type=float, default=None, help="两轮之间等待的秒数（默认 TIMER_POLL_SECONDS，即 5）。")
@with_appcontext
def worker_command(once: bool, poll: float | None) -> None:
    """唤醒计时器到期的流程实例，直到收到 SIGTERM/SIGINT。可与其他 worker 并行运行。"""
    from server.scheduler import drain, poll_seconds

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        click.echo(f"已唤醒 {drain(app)} 个流程实例")
        return
    if embedded_lock.sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"]) is not None:
        # Not refused (a lone worker on a copy of the data is fine), but beside `jixiao run` it is a second
        # process on the file, and `jixiao run` already wakes timers itself.
        click.echo("注意：嵌入式数据库（SQLite）只适合一个进程；jixiao run 已自带计时器，"
                   "多个进程请改用 PostgreSQL（见 README“生产部署”）", err=True)
    interval = poll if poll is not None else poll_seconds(app)
    stop = threading.Event()

    def _request_stop(signum: int, _frame: object) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _request_stop)
    click.echo(f"worker 已启动，每 {interval:g} 秒检查一次到期计时器")
    while not stop.is_set():
        try:
            woken = drain(app, stop)  # back-to-back passes while timers are due; the poll only when idle
            if woken:
                click.echo(f"已唤醒 {woken} 个流程实例")
        except Exception as err:  # keep serving other instances; the next pass retries
            click.echo(f"本轮失败：{err}", err=True)
        stop.wait(interval)
    click.echo("收到停止信号，worker 已退出")


COMMANDS = (init_command, deploy_command, run_command, serve_command, worker_command, simulate_command)


def register_cli(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
