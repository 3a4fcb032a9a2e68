"""The AWS CDK app that puts aws mode into production: one stack, built from one small config file.

``vce deploy`` synthesizes it (``deploy.app.synthesize``) and hands the cloud assembly to the CDK toolkit. Nothing
here calls AWS: what the stack needs from the product (the table's keys, the flow files, the SSM parameter names)
comes from ``backend`` through its public modules and the composition root; docs/aws/deploy.md explains the whole.
"""
