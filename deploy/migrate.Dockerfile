# The image of the kiroku-migrate Cloud Run job (terraform/modules/storage/migrations.tf): the source
# bundle `make package` writes, with its locked dependencies, running the PostgreSQL deploy step
# (shared/eventstore/deploy_schema.py). cloudbuild.deploy.yaml builds it with dist/ as the context:
#   docker build -f deploy/migrate.Dockerfile -t <repository>/migrate:<bundle SHA-256> dist
FROM python:3.11-slim

WORKDIR /app
COPY kiroku-functions.zip /tmp/bundle.zip
RUN python -m zipfile -e /tmp/bundle.zip /app \
    && rm /tmp/bundle.zip \
    && pip install --no-cache-dir --disable-pip-version-check --require-hashes -r requirements.txt

USER nobody
ENTRYPOINT ["python", "-m", "shared.eventstore.deploy_schema"]
