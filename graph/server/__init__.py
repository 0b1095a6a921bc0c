"""A real Neo4j Community server, provisioned by the project itself.

No Docker engine runs on our machines and Neo4j is on neither PyPI nor Debian, but Maven Central
is reachable: Maven resolves the jars of `org.neo4j.assembly:neo4j-community-standalone` (see
`pom.xml` beside this file) into a cache shared by every instance, and we start
`org.neo4j.server.CommunityEntryPoint` on them with a configuration we write under
`TALENTMAP_HOME`. The result is the genuine server, on the Bolt port of `NEO4J_URI`, with
authentication on and a generated password kept next to its data.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graph.driver import probe
from graph.errors import ServerNotRunningError, ServerSetupError
from schema.settings import Settings

POM = Path(__file__).with_name("pom.xml")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.server.startup.Neo4jAdminBoot"
SUPPORTED_JAVA = (17, 21)
# The JVM flags Neo4j's own launcher adds (from its default neo4j.conf), since we start the JVM.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
)


@dataclass(frozen=True)
class ServerStatus:
    """What `talentmap neo4j status` reports."""

    running: bool
    managed: bool
    uri: str
    version: str | None
    pid: int | None
    data_dir: Path | None
    log_file: Path | None


@dataclass(frozen=True)
class Layout:
    """Where one instance keeps its files, all under `TALENTMAP_HOME/neo4j`."""

    root: Path

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def plugins_dir(self) -> Path:
        return self.root / "plugins"

    @property
    def import_dir(self) -> Path:
        return self.root / "import"

    @property
    def pid_file(self) -> Path:
        return self.root / "neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "console.log"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "neo4j.log"

    @property
    def auth_file(self) -> Path:
        return self.data_dir / "dbms" / "auth.ini"


def layout(settings: Settings) -> Layout:
    return Layout(settings.neo4j_dir)


# --- Java and Maven -----------------------------------------------------------------------


def find_java(settings: Settings) -> Path:
    """The `java` to run Neo4j with: JAVA_HOME's if it is a supported version, else PATH's."""
    candidates: list[Path] = []
    if settings.java_home is not None:
        candidates.append(settings.java_home / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path))
    seen: list[str] = []
    for java in candidates:
        if not java.is_file():
            continue
        major = java_major_version(java)
        seen.append(f"{java} is Java {major}")
        if major in SUPPORTED_JAVA:
            return java
    if not seen:
        raise ServerSetupError(
            "Java is missing: Neo4j needs Java 17 or 21; install it (Debian: "
            "`apt-get install openjdk-17-jre-headless`) or set JAVA_HOME."
        )
    raise ServerSetupError(
        f"Neo4j {settings.neo4j_version} needs Java 17 or 21, "
        f"but {'; '.join(seen)}; install Java 17 or point JAVA_HOME at one."
    )


def java_major_version(java: Path) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603 - a fixed argv, no shell
            [str(java), "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 and earlier report "1.8"
    return int(match.group(2) or 0) if major == 1 else major


def jar_dir(settings: Settings) -> Path:
    return settings.cache_dir / f"neo4j-{settings.neo4j_version}" / "lib"


def ensure_jars(settings: Settings, java: Path) -> Path:
    """Resolve Neo4j's jars into the cache once; later calls reuse them.

    Maven copies into a temporary folder that is renamed into place only when complete, so an
    interrupted download never leaves a half-filled cache behind; a lock file keeps processes
    that start at once (the test workers) from fetching into the same folder.
    """
    target = jar_dir(settings)
    if target.is_dir() and any(target.glob("neo4j-server-*.jar")):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / "fetch.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if target.is_dir() and any(target.glob("neo4j-server-*.jar")):
            return target  # another process fetched them while this one waited
        return _fetch_jars(settings, java, target)


def _fetch_jars(settings: Settings, java: Path, target: Path) -> Path:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerSetupError(
            "Maven is missing: it fetches Neo4j from Maven Central; install it "
            "(Debian: `apt-get install maven`) or point NEO4J_URI at a running Neo4j."
        )
    partial = target.with_name("lib.partial")
    shutil.rmtree(partial, ignore_errors=True)
    env = {**os.environ, "JAVA_HOME": str(java.resolve().parent.parent)}
    argv = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(POM),
        *(["-s", str(settings.maven_settings)] if settings.maven_settings else []),
        f"-Dneo4j.version={settings.neo4j_version}",
        "-Dstyle.color=never",
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DexcludeTypes=pom",
        f"-DoutputDirectory={partial}",
    ]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        output = done.stdout + done.stderr
        offline = (
            r"Could not (transfer|resolve)|could not be resolved|UnknownHost|Connection refused"
            r"|timed out|NoPluginFoundForPrefix|Non-resolvable"
        )
        if re.search(offline, output):
            raise ServerSetupError(
                f"Maven could not download Neo4j {settings.neo4j_version} from Maven Central "
                "(no network or no such version); connect this machine to Maven Central "
                "or point NEO4J_URI at a running Neo4j."
            )
        last = [line for line in output.splitlines() if line.strip()][-3:]
        raise ServerSetupError(f"Maven failed to fetch Neo4j: {' / '.join(last)}")
    partial.rename(target)
    return target


# --- configuration ----------------------------------------------------------------------------


def render_config(settings: Settings, lay: Layout) -> str:
    """neo4j.conf for one instance: only Bolt listens, on NEO4J_URI's host and port."""
    address = f"{settings.bolt_host}:{settings.bolt_port}"
    lines = {
        "server.directories.data": lay.data_dir,
        "server.directories.logs": lay.logs_dir,
        "server.directories.plugins": lay.plugins_dir,
        "server.directories.run": lay.run_dir,
        "server.directories.import": lay.import_dir,
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": address,
        "server.bolt.advertised_address": address,
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true",
        "dbms.usage_report.enabled": "false",
        "initial.dbms.default_database": settings.neo4j_database,
        "server.memory.heap.initial_size": settings.neo4j_heap,
        "server.memory.heap.max_size": settings.neo4j_heap,
        "server.memory.pagecache.size": settings.neo4j_pagecache,
        "db.tx_log.rotation.retention_policy": "1 days",
    }
    taken = sorted(set(settings.neo4j_config_pairs) & set(lines))
    if taken:
        raise ServerSetupError(
            f"TALENTMAP_NEO4J_CONFIG sets {', '.join(taken)}, which `talentmap neo4j start` "
            "writes itself (use NEO4J_URI, TALENTMAP_HOME, TALENTMAP_NEO4J_HEAP or "
            "TALENTMAP_NEO4J_PAGECACHE)"
        )
    lines.update(settings.neo4j_config_pairs)
    body = "\n".join(f"{key}={value}" for key, value in lines.items())
    return f"# Written by `talentmap neo4j start`; rewritten at every start.\n{body}\n"


def write_config(settings: Settings, lay: Layout) -> None:
    for folder in (lay.conf_dir, lay.data_dir, lay.logs_dir, lay.run_dir, lay.plugins_dir):
        folder.mkdir(parents=True, exist_ok=True)
    lay.import_dir.mkdir(parents=True, exist_ok=True)
    (lay.conf_dir / "neo4j.conf").write_text(render_config(settings, lay), encoding="utf-8")


def neo4j_env(lay: Layout, java: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NEO4J_HOME": str(lay.root),
        "NEO4J_CONF": str(lay.conf_dir),
        "JAVA_HOME": str(java.resolve().parent.parent),
    }


def ensure_password(settings: Settings, lay: Layout, java: Path, jars: Path) -> str:
    """The password of the local server; set (before its first start only) from NEO4J_PASSWORD
    or generated and kept in `TALENTMAP_HOME/neo4j/password`, readable by its owner only."""
    password = settings.resolved_password()
    if lay.auth_file.exists():
        if password is None:
            raise ServerSetupError(
                f"the server in {lay.root} has a password but neither NEO4J_PASSWORD nor "
                f"{settings.password_file} holds it; set NEO4J_PASSWORD."
            )
        return password
    if password is None:
        password = secrets.token_urlsafe(24)
    settings.password_file.parent.mkdir(parents=True, exist_ok=True)
    settings.password_file.touch(mode=0o600)
    settings.password_file.write_text(password + "\n", encoding="utf-8")
    # "--": a password may start with "-" (token_urlsafe makes one in 64), not an option.
    argv = [str(java), "-cp", f"{jars}/*", ADMIN_CLASS, "dbms", "set-initial-password", "--"]
    argv.append(password)
    done = subprocess.run(  # noqa: S603 - fixed argv; the password never goes through a shell
        argv, capture_output=True, text=True, env=neo4j_env(lay, java), check=False
    )
    if done.returncode != 0:
        raise ServerSetupError(f"setting the initial Neo4j password failed: {done.stderr.strip()}")
    return password


# --- lifecycle --------------------------------------------------------------------------------


def read_pid(lay: Layout) -> int | None:
    """The pid of our running server, or None (a stale pid file is ignored)."""
    try:
        pid = int(lay.pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return None
    # The pid may have been reused by an unrelated process after a crash or reboot.
    if MAIN_CLASS in cmdline and str(lay.root) in cmdline:
        return pid
    return None


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host.strip("[]"), port)) == 0


def start(settings: Settings) -> ServerStatus:
    """Start the local server and return once Bolt answers a query. Idempotent."""
    lay = layout(settings)
    if not settings.may_provision:
        return status(settings)
    if read_pid(lay) is not None:
        return status(settings)
    if port_open(settings.bolt_host, settings.bolt_port):
        # Something else (Docker, another tool) serves this port: use it, provision nothing.
        return status(settings)
    java = find_java(settings)
    jars = ensure_jars(settings, java)
    write_config(settings, lay)
    password = ensure_password(settings, lay, java, jars)
    heap = settings.neo4j_heap
    argv = [
        str(java),
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *JVM_FLAGS,
        *settings.neo4j_jvm_options.split(),
        "-cp",
        f"{jars}/*",
        MAIN_CLASS,
        f"--home-dir={lay.root}",
        f"--config-dir={lay.conf_dir}",
    ]
    with lay.console_log.open("ab") as console:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv,
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=neo4j_env(lay, java),
            cwd=lay.root,
            start_new_session=True,  # survives the command that started it
        )
    lay.pid_file.write_text(f"{process.pid}\n", encoding="utf-8")
    deadline = time.monotonic() + settings.neo4j_start_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            lay.pid_file.unlink(missing_ok=True)
            raise ServerSetupError(
                f"Neo4j exited during start (code {process.returncode}); last log lines:\n"
                + tail(lay.console_log, 15)
                + "\n"
                + tail(lay.server_log, 15)
            )
        if probe(settings.neo4j_uri, settings.neo4j_username, password) is not None:
            return status(settings)
        time.sleep(0.5)
    stop(settings)
    raise ServerSetupError(
        f"Neo4j did not answer on {settings.neo4j_uri} within {settings.neo4j_start_timeout:.0f}s; "
        f"see {lay.server_log}"
    )


def stop(settings: Settings, timeout: float = 90.0) -> bool:
    """Stop our server cleanly (SIGTERM, then SIGKILL after `timeout`). False if none ran."""
    lay = layout(settings)
    pid = read_pid(lay)
    if pid is None:
        lay.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    lay.pid_file.unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    # Reap it if it is our child (the test session starts servers in-process).
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def status(settings: Settings) -> ServerStatus:
    lay = layout(settings)
    pid = read_pid(lay) if settings.may_provision else None
    managed = pid is not None
    version = probe(settings.neo4j_uri, settings.neo4j_username, settings.resolved_password())
    return ServerStatus(
        running=version is not None,
        managed=managed,
        uri=settings.neo4j_uri,
        version=version,
        pid=pid,
        data_dir=lay.data_dir if managed else None,
        log_file=lay.server_log if managed else None,
    )


def require_running(settings: Settings) -> None:
    if status(settings).running:
        return
    raise ServerNotRunningError(
        f"no Neo4j answers at {settings.neo4j_uri}; run `talentmap neo4j start` "
        "or point NEO4J_URI (and NEO4J_PASSWORD) at a running server."
    )


def tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


# --- bulk import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportFiles:
    """The CSV files of one `neo4j-admin database import full`: node files (each with its
    label in the header's `:LABEL` column or named by `label=`) and relationship files."""

    nodes: tuple[str, ...]  # LABEL=header.csv,data.csv
    relationships: tuple[str, ...]  # TYPE=header.csv,data.csv
    array_delimiter: str


def import_full(settings: Settings, files: ImportFiles, report: Path) -> str:
    """Replace the (empty) database with the CSV files through `neo4j-admin database import
    full`; the local server must be stopped (the caller stops and starts it). Returns the
    tool's summary; raises ServerSetupError with its last lines when it fails (the database
    is then unusable until the next import or a wipe)."""
    lay = layout(settings)
    if read_pid(lay) is not None:
        raise ServerSetupError("stop the local Neo4j before a bulk import (it replaces the store)")
    java = find_java(settings)
    jars = ensure_jars(settings, java)
    write_config(settings, lay)
    ensure_password(settings, lay, java, jars)
    argv = [str(java), "-Xmx1g", "-cp", f"{jars}/*", ADMIN_CLASS, "database", "import", "full"]
    argv += [f"--nodes={spec}" for spec in files.nodes]
    argv += [f"--relationships={spec}" for spec in files.relationships]
    argv += [
        "--overwrite-destination=true",
        "--multiline-fields=true",
        f"--array-delimiter={files.array_delimiter}",
        "--skip-bad-relationships=false",
        "--skip-duplicate-nodes=false",
        f"--report-file={report}",
        "--",
        settings.neo4j_database,
    ]
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        argv, capture_output=True, text=True, env=neo4j_env(lay, java), cwd=lay.root, check=False
    )
    if done.returncode != 0:
        last = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise ServerSetupError(f"neo4j-admin database import failed:\n{last}")
    return "\n".join(done.stdout.strip().splitlines()[-6:])
