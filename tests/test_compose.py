"""The container setup, checked statically: docker-compose.yml, the Dockerfile, .dockerignore.

Nothing here needs Docker or Neo4j. The files are parsed (YAML structure, Dockerfile
instructions, shell words of commands) and cross-checked against each other and the repository:
the API reaches the `neo4j` service with the password Neo4j is given, the ingest job loads a file
that exists and is copied into the image, and every COPY source exists and is not ignored.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

NEO4J_IMAGE = "neo4j:5.26-community"
BOLT_PORT = 7687
API_PORT = 8000
# `talentmap ingest openalex` options that take a value (the others are flags).
INGEST_VALUE_OPTIONS = frozenset({"--batch-size"})
SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash"})


# --- docker-compose.yml ----------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "docker-compose.yml is not a mapping"
    return loaded


def service(name: str) -> dict[str, Any]:
    services = compose().get("services")
    assert isinstance(services, dict), "docker-compose.yml has no `services` mapping"
    found = services.get(name)
    assert isinstance(found, dict), f"no service {name!r} in docker-compose.yml"
    return found


def environment(svc: dict[str, Any]) -> dict[str, str]:
    """A service's environment, from either the mapping or the `KEY=value` list form."""
    env = svc.get("environment", {})
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {key: value for key, _, value in pairs}
    assert isinstance(env, dict), "environment is neither a mapping nor a list"
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


@dataclass(frozen=True)
class Port:
    published: int | None
    target: int


def ports(svc: dict[str, Any]) -> list[Port]:
    """Published ports in short (`[IP:]HOST:CONTAINER[/proto]`) or long (mapping) syntax."""
    result: list[Port] = []
    for entry in svc.get("ports", []):
        if isinstance(entry, dict):
            published = entry.get("published")
            result.append(Port(None if published is None else int(published), int(entry["target"])))
            continue
        spec = str(entry).split("/", 1)[0]
        rest, _, target = spec.rpartition(":")
        host = rest.rpartition(":")[2] if rest else ""
        result.append(Port(int(host) if host else None, int(target)))
    return result


def depends_on(svc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`depends_on` in long form; the short (list) form means `service_started`."""
    deps = svc.get("depends_on", {})
    if isinstance(deps, list):
        return {str(name): {"condition": "service_started"} for name in deps}
    assert isinstance(deps, dict)
    return {str(name): dict(spec or {}) for name, spec in deps.items()}


def words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def commands(argv: list[str]) -> list[list[str]]:
    """The simple commands an argv runs: `sh -c "a && b"` is two commands, `a` then `b`."""
    if len(argv) >= 3 and argv[0] in SHELLS and argv[1] == "-c":
        lexer = shlex.shlex(argv[2], posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        result: list[list[str]] = [[]]
        for token in lexer:
            if token in {"&&", ";", "||", "&"}:
                result.append([])
            else:
                assert token != "|", f"pipelines are not expected in {argv[2]!r}"
                result[-1].append(token)
        return [cmd for cmd in result if cmd]
    return [argv]


def service_commands(svc: dict[str, Any]) -> list[list[str]]:
    command = svc.get("command")
    assert command, "the service has no command"
    return commands(words(command))


def index_of(cmds: list[list[str]], prefix: list[str]) -> int:
    for i, cmd in enumerate(cmds):
        if cmd[: len(prefix)] == prefix:
            return i
    raise AssertionError(f"no `{' '.join(prefix)}` in {cmds}")


def option(cmd: list[str], name: str) -> str | None:
    for i, word in enumerate(cmd):
        if word == name and i + 1 < len(cmd):
            return cmd[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def interpolations(text: str) -> list[tuple[str, bool]]:
    """The variables Compose substitutes in `text`, each with whether it has a default.

    `$$` is Compose's escape for a literal `$` (left to the container's shell).
    """
    found: list[tuple[str, bool]] = []
    for match in re.finditer(r"\$(\$|\{([^}]*)\}|(\w+))", text):
        if match.group(1) == "$":
            continue
        if match.group(3) is not None:
            found.append((match.group(3), False))
            continue
        body = match.group(2) or ""
        name = re.match(r"\w*", body)
        assert name is not None
        found.append((name.group(0), body[len(name.group(0)) :].startswith((":-", "-"))))
    return found


def strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in strings(key) + strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return []


def duration_seconds(value: object) -> float:
    """A Compose duration (`10s`, `1m30s`, `500ms`) in seconds."""
    text = str(value)
    parts = re.findall(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {value!r}"
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(number) * scale[unit] for number, unit in parts)


# --- Dockerfile ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


@cache
def dockerfile() -> tuple[Instruction, ...]:
    """Instructions with continuation lines joined and comments dropped (every stage)."""
    assert DOCKERFILE.is_file(), "no Dockerfile at the repository root"
    logical: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue  # comment lines inside a continuation are dropped by Docker too
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    assert not current.strip(), "the Dockerfile ends inside a continuation line"
    result = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        result.append(Instruction(keyword.upper(), args.strip()))
    return tuple(result)


def instruction_words(args: str) -> list[str]:
    """Exec form (a JSON array) or shell form (run by `/bin/sh -c`)."""
    if args.startswith("["):
        parsed = json.loads(args)
        assert isinstance(parsed, list) and all(isinstance(w, str) for w in parsed)
        return [str(w) for w in parsed]
    return ["/bin/sh", "-c", args]


def last(keyword: str) -> Instruction | None:
    found = [ins for ins in dockerfile() if ins.keyword == keyword]
    return found[-1] if found else None


@dataclass(frozen=True)
class Copy:
    sources: tuple[str, ...]
    destination: PurePosixPath  # absolute, WORKDIR applied


def copies() -> list[Copy]:
    """COPY/ADD from the build context (not `--from=` another stage or image)."""
    workdir = PurePosixPath("/")
    result: list[Copy] = []
    for ins in dockerfile():
        if ins.keyword == "WORKDIR":
            workdir = workdir / ins.args
        if ins.keyword not in {"COPY", "ADD"}:
            continue
        parts = json.loads(ins.args) if ins.args.startswith("[") else shlex.split(ins.args)
        flags = [p for p in parts if p.startswith("--")]
        paths = [p for p in parts if not p.startswith("--")]
        if any(flag.startswith("--from") for flag in flags):
            continue
        assert len(paths) >= 2, f"{ins.keyword} {ins.args}: needs a source and a destination"
        result.append(Copy(tuple(paths[:-1]), workdir / paths[-1]))
    return result


def final_workdir() -> PurePosixPath:
    workdir = PurePosixPath("/")
    for ins in dockerfile():
        if ins.keyword == "WORKDIR":
            workdir = workdir / ins.args
    return workdir


def copy_sources() -> list[str]:
    if not DOCKERFILE.is_file():
        return []
    return [source for copy in copies() for source in copy.sources]


def dockerignore_patterns() -> list[str]:
    if not DOCKERIGNORE.is_file():
        return []
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def image_path(container_path: PurePosixPath) -> Path | None:
    """The repository file COPY puts at `container_path`, if any COPY does."""
    for copy in reversed(copies()):
        for source in copy.sources:
            src = REPO / source
            if src.is_dir() and container_path.is_relative_to(copy.destination):
                candidate = src / container_path.relative_to(copy.destination)
                if candidate.exists():
                    return candidate
            elif copy.destination / PurePosixPath(source).name == container_path:
                return src
    return None


# --- compose: structure ----------------------------------------------------------------------


def test_compose_has_the_three_services_and_no_obsolete_version_key() -> None:
    assert "version" not in compose(), "the Compose spec has no `version:`; Compose warns on it"
    for name in ("neo4j", "api", "ingest"):
        service(name)


def test_every_interpolated_variable_has_a_default() -> None:
    """`docker compose up` works with no .env; `$$` is used where the container must expand."""
    missing = {
        name
        for text in strings(compose())
        for name, has_default in interpolations(text)
        if not has_default
    }
    assert not missing, f"Compose would substitute these as empty: {sorted(missing)}"


# --- compose: neo4j --------------------------------------------------------------------------


def test_neo4j_image_ports_auth_memory_and_volume() -> None:
    neo4j = service("neo4j")
    assert neo4j.get("image") == NEO4J_IMAGE
    published = {(p.published, p.target) for p in ports(neo4j)}
    assert (BOLT_PORT, BOLT_PORT) in published
    assert (7474, 7474) in published
    env = environment(neo4j)
    user, _, password = env.get("NEO4J_AUTH", "").partition("/")
    assert user == "neo4j" and password, "NEO4J_AUTH must be neo4j/<password>"
    assert env.get("NEO4J_server_memory_heap_max__size")
    assert env.get("NEO4J_server_memory_pagecache_size")
    named = compose().get("volumes") or {}
    data_volumes = [
        str(v).split(":")[0]
        for v in neo4j.get("volumes", [])
        if str(v).split(":")[1:2] == ["/data"]
    ]
    assert data_volumes, "neo4j keeps /data in no volume"
    assert data_volumes[0] in named, f"/data is not on a named volume: {data_volumes[0]!r}"


def test_neo4j_healthcheck_queries_bolt() -> None:
    check = service("neo4j").get("healthcheck")
    assert isinstance(check, dict), "neo4j has no healthcheck"
    test = check.get("test")
    assert isinstance(test, list) and test[0] in {"CMD", "CMD-SHELL"}, test
    argv = shlex.split(test[1]) if test[0] == "CMD-SHELL" else [str(w) for w in test[1:]]
    assert argv[0] in {"cypher-shell", "wget"}, f"healthcheck runs {argv[0]!r}"
    if argv[0] == "cypher-shell":
        assert "RETURN 1" in argv, "cypher-shell must run a query"
        password = option(argv, "-p") or option(argv, "--password")
        assert password, "cypher-shell needs the password"
        # Compose must not substitute it (that would be empty or go stale); the container's
        # shell expands it from the container's own environment.
        assert interpolations(password) == [], f"unescaped $ in {password!r}"
    for key in ("interval", "timeout", "start_period"):
        assert duration_seconds(check[key]) > 0, key
    assert isinstance(check.get("retries"), int) and check["retries"] > 0


# --- compose: api and ingest -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["api", "ingest"])
def test_app_services_build_this_dockerfile(name: str) -> None:
    build = service(name).get("build")
    assert build is not None, f"{name} is not built from the Dockerfile"
    context = build if isinstance(build, str) else build.get("context", ".")
    file = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (REPO / context / file).resolve() == DOCKERFILE


@pytest.mark.parametrize("name", ["api", "ingest"])
def test_app_services_wait_for_a_healthy_neo4j(name: str) -> None:
    deps = depends_on(service(name))
    assert deps.get("neo4j", {}).get("condition") == "service_healthy"


@pytest.mark.parametrize("name", ["api", "ingest"])
def test_app_services_reach_neo4j_with_its_credentials(name: str) -> None:
    env = environment(service(name))
    uri = urlsplit(env.get("NEO4J_URI", ""))
    assert uri.scheme in {"bolt", "neo4j"}
    assert uri.hostname == "neo4j", "NEO4J_URI must name the neo4j service"
    assert uri.port == BOLT_PORT
    assert BOLT_PORT in {p.target for p in ports(service("neo4j"))}
    user, _, password = environment(service("neo4j"))["NEO4J_AUTH"].partition("/")
    assert env.get("NEO4J_USERNAME") == user
    assert env.get("NEO4J_PASSWORD") == password, "not the password Neo4j is given"
    assert env.get("NEO4J_DATABASE")


def test_api_migrates_then_serves_on_the_published_port() -> None:
    api = service("api")
    assert (API_PORT, API_PORT) in {(p.published, p.target) for p in ports(api)}
    cmds = service_commands(api)
    migrate = index_of(cmds, ["talentmap", "db", "migrate"])
    serve = index_of(cmds, ["talentmap", "serve"])
    assert migrate < serve
    assert option(cmds[serve], "--host") == "0.0.0.0"
    assert option(cmds[serve], "--port") == str(API_PORT)


def test_api_healthcheck_gets_healthz_with_python() -> None:
    check = service("api").get("healthcheck")
    assert isinstance(check, dict), "api has no healthcheck"
    test = [str(w) for w in check["test"]]
    assert test[0] in {"CMD", "CMD-SHELL"}
    argv = shlex.split(test[1]) if test[0] == "CMD-SHELL" else test[1:]
    assert argv[0] in {"python", "python3"}, "slim images have no curl or wget"
    urls = [urlsplit(u) for u in re.findall(r"https?://[^'\"\s]+", " ".join(argv))]
    assert [(u.hostname, u.port, u.path) for u in urls] == [("127.0.0.1", API_PORT, "/healthz")]
    assert isinstance(check.get("retries"), int)
    duration_seconds(check["interval"])

    from api.app import create_app

    routes = {getattr(route, "path", None) for route in create_app().routes}
    assert "/healthz" in routes


def test_ingest_is_a_one_off_job_loading_the_bundled_sample() -> None:
    ingest = service("ingest")
    assert ingest.get("profiles"), "ingest would start with every `docker compose up`"
    assert str(ingest.get("restart", "no")) == "no"
    cmds = service_commands(ingest)
    migrate = index_of(cmds, ["talentmap", "db", "migrate"])
    load = index_of(cmds, ["talentmap", "ingest", "openalex"])
    assert migrate < load
    args = cmds[load][3:]
    paths = [
        arg
        for i, arg in enumerate(args)
        if not arg.startswith("-") and (i == 0 or args[i - 1] not in INGEST_VALUE_OPTIONS)
    ]
    assert paths, "talentmap ingest openalex is given no file"
    for path in paths:
        assert not PurePosixPath(path).is_absolute(), f"{path}: expected relative to WORKDIR"
        assert (REPO / path).is_file(), f"{path} does not exist in the repository"
        in_image = image_path(final_workdir() / path)
        assert in_image == REPO / path, f"{path} is not copied to WORKDIR/{path} in the image"


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_base_user_port_and_command() -> None:
    base = [ins.args.split()[0] for ins in dockerfile() if ins.keyword == "FROM"]
    assert base[-1:] == ["python:3.11-slim"]
    user = last("USER")
    assert user is not None, "the image runs as root"
    assert user.args.split(":")[0] not in {"root", "0"}
    exposed = {
        w.split("/")[0] for ins in dockerfile() if ins.keyword == "EXPOSE" for w in ins.args.split()
    }
    assert str(API_PORT) in exposed
    entrypoint, cmd = last("ENTRYPOINT"), last("CMD")
    argv = (instruction_words(entrypoint.args) if entrypoint else []) + (
        instruction_words(cmd.args) if cmd else []
    )
    (serve,) = [c for c in commands(argv) if c[:2] == ["talentmap", "serve"]]
    assert option(serve, "--host") == "0.0.0.0"
    assert option(serve, "--port") == str(API_PORT)


def test_dockerfile_installs_the_project() -> None:
    runs = [ins.args for ins in dockerfile() if ins.keyword == "RUN"]
    installs = [
        cmd
        for run in runs
        for cmd in commands(["/bin/sh", "-c", run])
        if cmd[:2] == ["pip", "install"] or cmd[:4] == ["python", "-m", "pip", "install"]
    ]
    assert any("." in cmd for cmd in installs), f"no `pip install .` among {installs}"
    copied = {PurePosixPath(s).parts[0] for s in copy_sources()}
    packages = {"talentmap", "graph", "api", "ingest", "schema", "data"}
    assert packages | {"pyproject.toml", "README.md"} <= copied


def test_dockerfile_builds_the_page_and_the_image_serves_it() -> None:
    """A first stage on Node 20 builds web/ from its lock file (lint, codegen from the SDL, tsc,
    Vite); the final stage copies only the built files and names them for `talentmap serve`."""
    stages = [ins.args.split() for ins in dockerfile() if ins.keyword == "FROM"]
    assert stages[0][0].startswith("node:20") and stages[0][1:] == ["AS", "web"]
    runs = [
        cmd
        for ins in dockerfile()
        if ins.keyword == "RUN"
        for cmd in commands(["/bin/sh", "-c", ins.args])
    ]
    assert ["npm", "ci", "--no-audit", "--no-fund"] in runs
    assert ["npm", "run", "build"] in runs and ["npm", "run", "lint"] in runs
    sources = copy_sources()
    assert {"web/package-lock.json", "api/schema.graphql"} <= set(sources)
    (dist,) = [ins.args.split() for ins in dockerfile() if ins.args.startswith("--from=web")]
    env = " ".join(ins.args for ins in dockerfile() if ins.keyword == "ENV")
    assert f"TALENTMAP_WEB_DIST={final_workdir() / dist[-1]}" in env
    codegen = (REPO / "web" / "codegen.ts").read_text(encoding="utf-8")
    assert '"../api/schema.graphql"' in codegen  # /src/api beside /src/web in the stage


@pytest.mark.parametrize("source", copy_sources())
def test_copied_path_exists_and_is_not_dockerignored(source: str) -> None:
    assert (REPO / source).exists(), f"the Dockerfile copies {source}, missing from the repository"
    name = source.rstrip("/")
    for pattern in dockerignore_patterns():
        if pattern.startswith("!"):
            continue
        pat = pattern.rstrip("/")
        assert not fnmatch.fnmatch(name, pat), f"{source} is excluded by .dockerignore ({pattern})"
        assert not name.startswith(pat + "/"), f"{source} is inside {pattern} (.dockerignore)"


def test_dockerignore_keeps_the_venv_git_and_secrets_out() -> None:
    patterns = {p.rstrip("/") for p in dockerignore_patterns()}
    assert {".venv", ".git", ".env"} <= patterns
