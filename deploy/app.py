"""Synthesize the stack into a cloud assembly (``cdk.out``): what ``vce deploy`` hands to the CDK toolkit.

Runs offline: no AWS credentials, no lookups, no Docker (an image built from the Dockerfile is only prepared here
and built when the toolkit publishes the assets). cdk-nag checks the result; a finding stops the synth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import App
from aws_cdk import aws_ecs as ecs

from deploy.config import DeployConfig
from deploy.nag import acknowledge_accepted, register_checks
from deploy.stack import VideoCallEscalationStack

QUIET_NODE = {'JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION': '20', 'CDK_DISABLE_CLI_TELEMETRY': 'true'}


@dataclass(frozen=True)
class Assembly:
    directory: Path
    template: Path
    stack: VideoCallEscalationStack


def build_stack(config: DeployConfig, outdir: Path, *, image: ecs.ContainerImage | None = None,
                flows_dir: Path | None = None) -> tuple[App, VideoCallEscalationStack]:
    for name, value in QUIET_NODE.items():
        os.environ.setdefault(name, value)
    # absolute: the node process behind aws_cdk keeps the working folder it started in
    app = App(outdir=str(outdir.resolve()), analytics_reporting=False)
    register_checks(app)
    stack = VideoCallEscalationStack(app, config, image=image, flows_dir=flows_dir)
    acknowledge_accepted(stack)
    return app, stack


def synthesize(config: DeployConfig, outdir: Path, *, image: ecs.ContainerImage | None = None,
               flows_dir: Path | None = None) -> Assembly:
    """Write the cloud assembly to ``outdir``; raises when cdk-nag finds something not acknowledged."""
    app, stack = build_stack(config, outdir, image=image, flows_dir=flows_dir)
    app.synth()
    return Assembly(outdir.resolve(), outdir.resolve() / stack.template_file, stack)
