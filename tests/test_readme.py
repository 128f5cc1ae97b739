"""The documentation against the code: snippets, edits, tables, numbers and messages.

The README is how someone decides whether to adopt this package, so every statement a test can
check is checked here (fast, no engine); the engine tests compare the captured outputs and run
the examples. Where the README quotes a message, the message is produced here or in the engine
tests, not merely searched for.
"""

from __future__ import annotations

import inspect
import re
import runpy
import stat
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

import vdm_resources
from tests.mocks import ComponentMocks
from tests.readme_blocks import EXAMPLES, README, ROOT, apply_edit, blocks, documents
from vdm_resources import _aws, _ownership
from vdm_resources._pacing import Pacer
from vdm_resources.errors import VdmError

EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
README_TEXT = README.read_text()
ENGINE_TESTS = (ROOT / "tests" / "engine" / "test_examples.py").read_text()


def section(title: str, level: int = 2, text: str = README_TEXT) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    marks = "#" * level
    match = re.search(
        rf"^{marks} {re.escape(title)}\n(.*?)(?=^#{{1,{level}}} |\Z)", text, re.M | re.S
    )
    assert match, f"no section {marks} {title}"
    return match.group(1)


def table_names(text: str, header: str) -> list[str]:
    """The backticked names in the first column of the table whose first header is ``header``."""
    match = re.search(rf"^\| {header} \|.*\n\|[-| ]+\|\n((?:\|.*\n)+)", text, re.M)
    assert match, f"no table with header {header!r}"
    return [re.match(r"\| `([^`]+)`", row).group(1) for row in match.group(1).splitlines()]  # type: ignore[union-attr]


# --------------------------------------------------------------------------------- snippets


@pytest.mark.parametrize("doc", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_snippets_are_the_examples_code(doc: Path) -> None:
    for block in blocks(doc, "example"):
        source = (ROOT / block.ref).read_text()
        assert block.body + "\n" in source, (
            f"{doc.relative_to(ROOT)}: a snippet marked {block.ref} is not in that file "
            f"verbatim:\n{block.body}"
        )


@pytest.mark.parametrize("doc", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_documented_edits_apply(doc: Path) -> None:
    for block in blocks(doc, "edit"):
        apply_edit((ROOT / block.ref).read_text(), block.body)


def test_every_capture_is_checked_by_an_engine_test() -> None:
    refs = [b.ref for doc in documents() for b in blocks(doc, "output")]
    assert refs
    for ref in refs:
        assert f'check_capture("{ref}"' in ENGINE_TESTS, ref


def test_the_emulator_snippet_runs() -> None:
    [block] = [b for b in blocks(README, "run") if b.ref == "emulator-in-tests"]
    exec(compile(block.body, "README.md:emulator-in-tests", "exec"), {"__name__": "readme"})


# --------------------------------------------------------------------------------- examples


def test_every_example_is_a_complete_project() -> None:
    assert EXAMPLE_NAMES == [
        "adopt-existing",
        "multi-account",
        "multi-region",
        "pr-preview",
        "quickstart",
        "with-pulumi-aws",
    ]
    for name in EXAMPLE_NAMES:
        d = EXAMPLES / name
        project = yaml.safe_load((d / "Pulumi.yaml").read_text())
        assert project["name"] == f"vdm-{name}"
        assert project["runtime"]["name"] == "python"
        venv = (d / project["runtime"]["options"]["virtualenv"]).resolve()
        assert venv == (ROOT / ".venv").resolve()
        compile((d / "__main__.py").read_text(), str(d / "__main__.py"), "exec")
        assert (d / "README.md").read_text().startswith(f"# {name}\n")
        assert f"](examples/{name}/README.md)" in README_TEXT, f"README does not link {name}"


def test_no_doc_says_to_install_from_pypi() -> None:
    """The package is not on PyPI (README "Installing"); no doc may tell users otherwise."""
    assert "not published on PyPI" in README_TEXT
    docs = [README, *EXAMPLES.glob("*/*.md"), *EXAMPLES.glob("*/Pulumi.yaml")]
    for doc in docs:
        text = doc.read_text()
        assert not re.search(r"pip install vdm-resources(?![\[\w])", text), doc


def test_every_example_is_run_by_a_test() -> None:
    for name in EXAMPLE_NAMES:
        if name == "with-pulumi-aws":  # no provider plugin here: mocks
            assert (ROOT / "tests" / "test_example_with_pulumi_aws.py").exists()
        else:
            assert re.search(rf'project_for\(\s*"{name}"', ENGINE_TESTS), name


def test_the_pr_workflow() -> None:
    d = EXAMPLES / "pr-preview"
    workflow = yaml.safe_load((d / "vdm-preview.yml").read_text())
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read", "id-token": "write"}
    job = workflow["jobs"]["preview"]
    assert job["defaults"]["run"]["shell"] == "bash"
    steps = {s.get("id") or s.get("name") or s.get("uses"): s for s in job["steps"]}
    assert steps["gate"]["run"].startswith("pulumi config set --path failOn.impact HIGH")
    assert steps["preview"]["run"].startswith("pulumi preview --diff ")
    assert steps["preview"]["run"].endswith("| tee preview.txt")
    assert steps["Job summary"]["if"] == "always()"
    assert "cat preview.txt" in steps["Job summary"]["run"]
    assert steps["Install the program's virtualenv (requirements.txt)"]["run"] == "pulumi install"
    assert "vdm-resources" in (d / "requirements.txt").read_text()
    # The CLI version the workflow installs is the one the project is tested with.
    cli_mod = (ROOT / "tools" / "engine" / "cli" / "go.mod").read_text()
    pinned = re.search(r"^\s*github.com/pulumi/pulumi/pkg/v3 v(\S+)", cli_mod, re.M)
    assert pinned
    assert f"--version {pinned.group(1)}" in steps["Install the Pulumi CLI"]["run"]


def test_example_seeds_are_valid() -> None:
    from vdm_resources.emulator.models import reset_backends
    from vdm_resources.emulator.state import apply_seed

    try:
        for seed in [*EXAMPLES.glob("*/seed.json"), ROOT / "scripts" / "main-seed.json"]:
            apply_seed(yaml.safe_load(seed.read_text()))
    finally:
        reset_backends()


# --------------------------------------------------------------------------------- reference

CLASSES = [
    vdm_resources.AccountVdmAttributes,
    vdm_resources.ConfigurationSetVdmOptions,
    vdm_resources.VdmRecommendations,
    vdm_resources.VdmMetrics,
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_reference_lists_every_argument_and_output(cls: type) -> None:
    text = section(f"`{cls.__name__}`", level=3)
    params = [
        p
        for p in inspect.signature(cls.__init__).parameters  # type: ignore[misc]
        if p not in ("self", "resource_name", "opts")
    ]
    assert table_names(text, "argument") == params
    outputs = [n for n in cls.__annotations__ if not n.startswith("_")]
    documented = table_names(text, "output")
    if issubclass(cls, pulumi.CustomResource):
        assert documented[0] == "id"
        documented = documented[1:]
    assert sorted(documented) == sorted(outputs)


def test_reference_lists_every_error() -> None:
    exported = {
        name
        for name in vdm_resources.__all__
        if isinstance(getattr(vdm_resources, name), type)
        and issubclass(getattr(vdm_resources, name), Exception)
    }
    assert set(table_names(section("Errors", level=3), "exception")) == exported
    assert all(issubclass(getattr(vdm_resources, n), VdmError) for n in exported)


def test_resource_type_tokens() -> None:
    for cls in CLASSES[:2]:
        assert f"`pulumi-python:dynamic/sesv2:{cls.__name__}`" in README_TEXT
    from vdm_resources import metrics, recommendations

    for token in (recommendations.TYPE_TOKEN, metrics.TYPE_TOKEN):
        assert f"`{token}`" in README_TEXT


# --------------------------------------------------------------------------------- statements


def test_the_two_commands() -> None:
    text = section("The two commands")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["./scripts/main.sh", "./scripts/test.sh"]
    for script in ("main.sh", "test.sh"):
        assert (ROOT / "scripts" / script).stat().st_mode & stat.S_IXUSR


def test_local_links_resolve() -> None:
    for doc in documents():
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", doc.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            assert (doc.parent / target).exists(), f"{doc.relative_to(ROOT)}: {target}"


def test_anchors_resolve() -> None:
    slugs = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", README_TEXT, re.M)
    }
    for doc in documents():
        for anchor in re.findall(r"README\.md#([a-z0-9-]+)\)|\]\(#([a-z0-9-]+)\)", doc.read_text()):
            slug = anchor[0] or anchor[1]
            assert slug in slugs, f"{doc.relative_to(ROOT)}: #{slug}"


def test_environment_variables_exist() -> None:
    code = [*(ROOT / "vdm_resources").rglob("*.py"), ROOT / "tests" / "readme_blocks.py"]
    source = "\n".join(p.read_text() for p in code)
    workflow = (EXAMPLES / "pr-preview" / "vdm-preview.yml").read_text()
    for doc in documents():
        for var in set(re.findall(r"\bVDM_[A-Z_]+\b", doc.read_text())):
            if f"vars.{var}" in workflow:  # a repository variable of the example workflow
                continue
            assert f'"{var}"' in source, f"{doc.relative_to(ROOT)} names {var}"


def test_rate_limits_and_retries_as_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    text = section("Rate limits")
    for op in ("PutAccountVdmAttributes", "PutConfigurationSetVdmOptions", "ListRecommendations"):
        assert _aws.OPERATION_RATES[op] == 1.0 and f"`{op}`" in text
    assert _aws.OPERATION_RATES["GetAccount"] == _aws.OPERATION_RATES["GetConfigurationSet"] == 1
    assert _aws.DEFAULT_RATE == 1.0
    assert _aws.OPERATION_RATES["BatchGetMetricData"] == 16.0 and _aws.BATCH_QUERY_RATE == 160.0
    assert "16 calls/s plus 160 queries/s" in text
    assert "(`VDM_MAX_ATTEMPTS`, default 8)" in text and _aws.DEFAULT_MAX_ATTEMPTS == 8
    assert "`VDM_THROTTLE_BUDGET_SECONDS` (default 900)" in text
    assert _aws.DEFAULT_THROTTLE_BUDGET == 900 and _aws.THROTTLE_BUDGET_ENV in text
    # The adaptive pacer's figures, as the README states them.
    flat = " ".join(text.split())
    assert Pacer.QUICK_RETRIES == (0.02, 0.15) and "a fiftieth, then a sixth" in flat
    assert Pacer.START_SLACK == Pacer.CONTENDED_SLACK == 0.2 and "a fifth of an interval" in flat
    assert f"drops by {round((1 - Pacer.BACKOFF) * 100)}%" in flat
    assert f"recovers by {round(Pacer.RECOVERY * 100)}% of AWS's rate" in flat
    for var in ("VDM_CONNECT_TIMEOUT", "VDM_READ_TIMEOUT", "VDM_RATE_SCALE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    assert _aws.rate_scale() == 0.0
    _aws.reset_clients()
    try:
        config = _aws.client("us-east-1").meta.config
    finally:
        _aws.reset_clients()
    region_text = section("Region, credentials and endpoint")
    assert f"`VDM_CONNECT_TIMEOUT` (default {config.connect_timeout:g} s)" in region_text
    assert f"`VDM_READ_TIMEOUT` (default {config.read_timeout:g} s)" in region_text


def test_same_region_twice_is_refused() -> None:
    _ownership.reset_claims()
    pulumi.runtime.set_mocks(ComponentMocks(), preview=True)
    caught: list[str] = []

    @pulumi.runtime.test  # type: ignore[misc]
    def program() -> None:
        vdm_resources.AccountVdmAttributes("a", vdm_enabled="ENABLED", region="us-east-1")
        with pytest.raises(pulumi.RunError) as info:
            vdm_resources.AccountVdmAttributes("b", vdm_enabled="ENABLED", region="us-east-1")
        caught.append(str(info.value))

    try:
        program()
    finally:
        _ownership.reset_claims()
    assert (
        "AccountVdmAttributes 'b': region 'us-east-1' is already managed by "
        "AccountVdmAttributes 'a' in this program"
    ) in caught[0]
    assert "already managed by AccountVdmAttributes 'a' in this program" in README_TEXT


def test_missing_region_message(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    _aws.reset_clients()
    try:
        with pytest.raises(vdm_resources.VdmValidationError) as info:
            _aws.resolve_region(None, None)
    finally:
        _aws.reset_clients()
    assert str(info.value).startswith("region: no AWS region is set")
    assert "`region: no AWS region is set; ...`" in README_TEXT


def test_missing_credentials_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README quotes the error a run without credentials ends with: one line naming the
    call, botocore's reason and its class, with no retry."""
    from vdm_resources.errors import VdmApiError

    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:9")  # never reached
    monkeypatch.setenv(_aws.RATE_SCALE_ENV, "off")
    _aws.reset_clients()
    sleeps: list[float] = []
    try:
        with pytest.raises(VdmApiError) as info:
            _aws.call("GetAccount", "us-east-1", context="test", sleep=sleeps.append)
    finally:
        _aws.reset_clients()
    assert str(info.value) == (
        "test: GetAccount in us-east-1 not sent: Unable to locate credentials (NoCredentialsError)"
    )
    assert sleeps == []
    assert (
        "GetAccount in us-east-1 not sent: Unable to locate credentials (NoCredentialsError)"
        in (README_TEXT)
    )


def test_quoted_messages_come_from_the_code() -> None:
    """Messages the README quotes that other tests produce: the text must still exist."""
    source = "\n".join(p.read_text() for p in (ROOT / "vdm_resources").rglob("*.py"))
    quoted = {
        "configuration set {name!r} not found in {where} (NotFoundException)": (
            "configuration set 'x' not found in us-east-1 (NotFoundException)"
        ),
        "failed after {attempt} attempts: {last}": "failed after 8 attempts: ",
        "recommendation(s) match fail_on ": "recommendation(s) match fail_on {'impact': 'HIGH'}",
        "is not one of {', '.join(FEATURE_STATUSES)}": "is not one of ENABLED, DISABLED",
    }
    for in_code, in_readme in quoted.items():
        assert in_code in source, in_code
        assert in_readme in README_TEXT, in_readme


def test_the_adopt_example_declares_what_its_seed_holds() -> None:
    """The example's point: declared values equal the existing ones, so nothing changes."""
    seed = yaml.safe_load((EXAMPLES / "adopt-existing" / "seed.json").read_text())
    [existing] = seed["regions"].values()
    declared: dict[str, Any] = {}

    class Capture(ComponentMocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            declared[args.name] = dict(args.inputs)
            return super().new_resource(args)

    _ownership.reset_claims()
    pulumi.runtime.set_mocks(Capture(), preview=True)

    @pulumi.runtime.test  # type: ignore[misc]
    def program() -> None:
        runpy.run_path(str(EXAMPLES / "adopt-existing" / "__main__.py"), run_name="__main__")

    try:
        program()
    finally:
        _ownership.reset_claims()
    from vdm_resources.account_vdm_attributes import expand_account_vdm_attributes
    from vdm_resources.configuration_set_vdm_options import expand_vdm_options

    assert existing["vdm_attributes"] == expand_account_vdm_attributes(declared["account-vdm"])
    assert existing["configuration_sets"][0]["VdmOptions"] == expand_vdm_options(
        declared["legacy-vdm"]
    )


def test_removed_block_is_handed_over_not_deleted(aws_emulator: Any) -> None:
    """The README's promise, as the engine drives the provider: removing a block from the
    program is a change with no API call, which records that the option is no longer managed,
    so a later delete leaves it in place."""
    from vdm_resources import ConfigurationSetVdmOptionsProvider

    aws_emulator.control.seed(
        {"regions": {"us-east-1": {"configuration_sets": [{"ConfigurationSetName": "m"}]}}}
    )
    provider = ConfigurationSetVdmOptionsProvider()
    both = {
        "configuration_set_name": "m",
        "dashboard_options": {"engagement_metrics": "ENABLED"},
        "guardian_options": {"optimized_shared_delivery": "ENABLED"},
    }
    outs = provider.create(both).outs
    assert outs is not None
    without_dashboard = {k: v for k, v in both.items() if k != "dashboard_options"}
    assert provider.diff("m", outs, without_dashboard).changes is True
    aws_emulator.control.reset_requests()
    outs = provider.update("m", outs, without_dashboard).outs
    assert outs is not None
    assert aws_emulator.control.calls() == 0  # nothing to write: only the record changes
    provider.delete("m", outs)
    live = aws_emulator.boto3_client().get_configuration_set(ConfigurationSetName="m")
    assert live["VdmOptions"] == {"DashboardOptions": {"EngagementMetrics": "ENABLED"}}
    assert "Removing a block from the program stops managing it" in README_TEXT


def test_architecture_names_every_module() -> None:
    """ARCHITECTURE.md is the newcomer's map: a module it does not name is a module nobody
    will know where to look for."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    modules = sorted(p.name for p in (ROOT / "vdm_resources").glob("*.py"))
    missing = [m for m in modules if m != "__init__.py" and f"`{m}`" not in text]
    assert not missing, missing
    assert len(text.splitlines()) <= 60  # one screen
