"""cfn-lint finds nothing in the template, and cdk-nag's AwsSolutions pack passes with every acknowledgment reasoned.

cfn-lint runs with W3005 off: that warning is about the DependsOn CDK itself writes next to a Ref (redundant, not
wrong), on resources CDK generates; every other check runs, warnings and informational ones included.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.contract.deploy.stacks import Synthesized


def test_cfn_lint_reports_nothing(each_stack: Synthesized) -> None:
    cfn_lint = Path(sys.executable).parent / 'cfn-lint'  # the venv's own
    result = subprocess.run([str(cfn_lint), '--ignore-checks', 'W3005', '--',
                             str(each_stack.template_path)], capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')


def test_cdk_nag_passes_and_every_acknowledgment_has_a_reason(each_stack: Synthesized) -> None:
    report = json.loads((each_stack.template_path.parent / 'validation-report.json').read_text())
    (nag,) = [r for r in report['pluginReports'] if r['pluginName'] == 'AwsSolutions']
    assert nag['conclusion'] == 'success' and nag['violations'] == []
    acknowledged = nag['suppressedViolations']
    assert acknowledged
    for finding in acknowledged:
        assert len(finding['reason']) > 80, finding['ruleName']
    rules = {finding['ruleName'].partition('[')[0] for finding in acknowledged}
    assert rules <= {'AwsSolutions-SMG4', 'AwsSolutions-IAM4', 'AwsSolutions-AEC6', 'AwsSolutions-AEC4',
                     'AwsSolutions-IAM5', 'AwsSolutions-EC23', 'AwsSolutions-ECS2', 'AwsSolutions-S1'}
