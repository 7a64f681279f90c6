"""Deploying Kiroku to Google Cloud: the source bundle the functions deploy from, and its tooling.

Kept apart from `functions/` and `shared/` because none of it runs in the cloud; Terraform in
`terraform/` and `cloudbuild.yaml` use what it builds.
"""
