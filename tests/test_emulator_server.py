"""The server embedded in a process (no subprocess), as examples may run it."""

from __future__ import annotations

import boto3
from botocore.config import Config

from vdm_resources.emulator.client import ControlClient
from vdm_resources.emulator.server import EmulatorApp, EmulatorServer, build_parser


def test_in_process_server_serves_boto3() -> None:
    server = EmulatorServer(EmulatorApp(rate_limits=False), port=0).start()
    try:
        client = boto3.session.Session(
            aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-2"
        ).client(
            "sesv2",
            endpoint_url=server.url,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        )
        client.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
        assert client.get_account()["VdmAttributes"]["VdmEnabled"] == "ENABLED"
        control = ControlClient(server.url)
        assert control.health()["status"] == "ok"
        assert control.calls() == 2
        assert control.state()["regions"]["us-east-2"]["vdm_attributes"] == {
            "VdmEnabled": "ENABLED"
        }
    finally:
        server.stop()


def test_cli_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.rate_scale, args.no_rate_limit) == (
        "127.0.0.1",
        4566,
        1.0,
        False,
    )
    assert args.state is None and args.seed is None


def test_without_the_emulator_extra_the_command_says_what_to_install() -> None:
    """``pip install vdm-resources`` installs ``vdm-emulator`` but not moto: one line, no
    traceback, naming the extra."""
    import subprocess
    import sys

    hide = "import sys; sys.modules['moto'] = None; "
    run = "from vdm_resources.emulator.cli import main; raise SystemExit(main(['serve']))"
    proc = subprocess.run(
        [sys.executable, "-c", hide + run], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "vdm-emulator: the emulator needs the 'emulator' extra (missing: moto); install it "
        "with: pip install 'vdm-resources[emulator]'"
    )
