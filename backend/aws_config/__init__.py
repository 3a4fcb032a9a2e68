"""aws-mode configuration as data: the parameters `vce configure` stores in SSM and the checks on their values.

Framework-free and boto3-free, so the CLI, the SSM settings source and the tests share one definition.
"""
