"""The local Neo4j lifecycle through the CLI, on a second instance beside the session's."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from graph import server
from graph.driver import connect
from graph.errors import ServerSetupError
from schema.settings import Settings
from tests.conftest import free_port

TALENTMAP = [sys.executable, "-m", "talentmap.cli"]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TALENTMAP, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture
def second(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a second instance: its own TALENTMAP_HOME and Bolt port."""
    env = {
        **os.environ,
        "TALENTMAP_HOME": str(tmp_path / "home"),
        "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",
        "COLUMNS": "200",
    }
    env.pop("NEO4J_PASSWORD", None)
    yield env
    run(env, "neo4j", "stop")


@pytest.mark.neo4j  # a second Neo4j of its own
@pytest.mark.skipif(
    bool(os.environ.get("NEO4J_URI")) and not os.environ.get("TALENTMAP_TEST_PROVISION"),
    reason="NEO4J_URI points at an external server; the lifecycle test provisions its own",
)
def test_start_twice_status_stop_start_keeps_data(second: dict[str, str]) -> None:
    first = run(second, "neo4j", "start")
    assert first.returncode == 0, first.stderr
    assert second["NEO4J_URI"] in first.stdout
    assert "neo4j.log" in first.stdout

    again = run(second, "neo4j", "start")
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout
    # The JVM flags of TALENTMAP_NEO4J_JVM_OPTIONS (the tests set some: conftest) reach its java.
    home = Settings(neo4j_uri=second["NEO4J_URI"], home=Path(second["TALENTMAP_HOME"]))
    pid = server.layout(home).pid_file.read_text(encoding="utf-8").strip()
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    assert second["TALENTMAP_NEO4J_JVM_OPTIONS"].split()
    assert set(second["TALENTMAP_NEO4J_JVM_OPTIONS"].split()) <= set(argv)
    # and the settings of TALENTMAP_NEO4J_CONFIG its neo4j.conf
    conf = (server.layout(home).conf_dir / "neo4j.conf").read_text(encoding="utf-8").splitlines()
    assert second["TALENTMAP_NEO4J_CONFIG"]
    for pair in second["TALENTMAP_NEO4J_CONFIG"].split(";"):
        assert pair in conf

    status = run(second, "neo4j", "status")
    assert status.returncode == 0
    assert "5.26" in status.stdout
    assert str(Path(second["TALENTMAP_HOME"]) / "neo4j" / "data") in status.stdout

    settings = Settings(
        neo4j_uri=second["NEO4J_URI"], home=Path(second["TALENTMAP_HOME"]), neo4j_password=None
    )
    password_file = settings.password_file
    assert password_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    with connect(settings) as driver:
        driver.execute_query("CREATE (:Work {id: 'W42', title: 'kept'})", database_="neo4j")

    stopped = run(second, "neo4j", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    down = run(second, "neo4j", "status")
    assert down.returncode == 1
    assert "no" in down.stdout.split("running", 1)[1].splitlines()[0]
    assert run(second, "neo4j", "stop").stdout.strip().startswith("Neo4j was not running")

    restarted = run(second, "neo4j", "start")
    assert restarted.returncode == 0, restarted.stderr
    with connect(settings) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (w:Work {id: 'W42'}) RETURN w.title AS title", database_="neo4j"
        )
    assert [r["title"] for r in records] == ["kept"]


def test_missing_java_is_one_clear_sentence(tmp_path: Path) -> None:
    env = {
        "PATH": str(tmp_path),  # no java, no mvn
        "HOME": str(tmp_path),
        "TALENTMAP_HOME": str(tmp_path / "home"),
        "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",
        "TALENTMAP_JAVA_HOME": str(tmp_path / "nojava"),
    }
    done = run(env, "neo4j", "start")
    assert done.returncode == 1
    assert "Java is missing" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_missing_maven_is_one_clear_sentence(tmp_path: Path) -> None:
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        home=tmp_path / "home",
        cache_dir=tmp_path / "empty-cache",
    )
    java = server.find_java(settings)
    old_path = os.environ["PATH"]
    os.environ["PATH"] = str(tmp_path)
    try:
        with pytest.raises(ServerSetupError, match="Maven is missing"):
            server.ensure_jars(settings, java)
    finally:
        os.environ["PATH"] = old_path


def test_unreachable_maven_central_is_one_clear_sentence(tmp_path: Path) -> None:
    # A Maven mirror on a closed loopback port and an empty local repository: what a machine
    # without network sees.
    maven_settings = tmp_path / "settings.xml"
    maven_settings.write_text(
        f"""<settings><localRepository>{tmp_path / "m2"}</localRepository>
<mirrors><mirror><id>nowhere</id><mirrorOf>*</mirrorOf>
<url>http://127.0.0.1:{free_port()}/maven2</url></mirror></mirrors></settings>""",
        encoding="utf-8",
    )
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        home=tmp_path / "home",
        cache_dir=tmp_path / "empty-cache",
        maven_settings=maven_settings,
    )
    with pytest.raises(ServerSetupError, match="could not download Neo4j"):
        server.ensure_jars(settings, server.find_java(settings))
    assert not (tmp_path / "empty-cache" / f"neo4j-{settings.neo4j_version}" / "lib").exists()


def test_external_uri_is_never_provisioned(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TALENTMAP_HOME": str(tmp_path / "home"),
        "NEO4J_URI": f"neo4j://127.0.0.1:{free_port()}",
        "NEO4J_PASSWORD": "whatever",
    }
    done = run(env, "neo4j", "start")
    assert "external server" in done.stdout
    assert done.returncode == 1  # and it does not answer
    assert not (tmp_path / "home" / "neo4j").exists()


def test_config_listens_on_the_uri_port_only(tmp_path: Path) -> None:
    settings = Settings(neo4j_uri="bolt://127.0.0.1:17999", home=tmp_path)
    conf = server.render_config(settings, server.layout(settings))
    assert "server.bolt.listen_address=127.0.0.1:17999" in conf
    assert "server.http.enabled=false" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert f"server.directories.data={tmp_path / 'neo4j' / 'data'}" in conf


def test_more_neo4j_settings_are_written_and_checked(tmp_path: Path) -> None:
    settings = Settings(
        neo4j_uri="bolt://127.0.0.1:17999",
        home=tmp_path,
        neo4j_config=" db.logs.query.enabled=OFF ; dbms.cypher.planner=COST;",
    )
    conf = server.render_config(settings, server.layout(settings)).splitlines()
    assert "db.logs.query.enabled=OFF" in conf
    assert "dbms.cypher.planner=COST" in conf
    # not a key=value pair: refused when read, naming the item
    with pytest.raises(ValidationError, match="'planner COST'"):
        Settings(neo4j_config="dbms.cypher.planner=COST;planner COST")
    # a setting `neo4j start` writes itself: refused, naming it
    taken = Settings(home=tmp_path, neo4j_config="server.bolt.listen_address=0.0.0.0:7687")
    with pytest.raises(ServerSetupError, match=r"server\.bolt\.listen_address"):
        server.render_config(taken, server.layout(taken))


@pytest.mark.neo4j  # the Neo4j jars and neo4j-admin
def test_a_password_starting_with_a_dash_is_set(tmp_path: Path) -> None:
    # One generated password in 64 starts with "-"; neo4j-admin must not read it as an option.
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        home=tmp_path,
        neo4j_password="-starts-with-a-dash",
    )
    lay = server.layout(settings)
    java = server.find_java(settings)
    jars = server.ensure_jars(settings, java)
    server.write_config(settings, lay)
    assert server.ensure_password(settings, lay, java, jars) == "-starts-with-a-dash"
    assert lay.auth_file.exists()
