"""Sample configs and environments shared by the config tests."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

# Every config needs credentials (a missing client id or secret is a problem); tests about other things use these.
CREDENTIALS = {"LATER_CLIENT_ID": "client-1", "LATER_CLIENT_SECRET": "s3cret-value"}

FULL_ENV = {
    "LATER_CLIENT_ID": "client-1",
    "LATER_CLIENT_SECRET": "s3cret-value",
    "GOOGLE_APPLICATION_CREDENTIALS": "/secrets/sa.json",
    "SMTP_HOST": "smtp.example.com",
    "SMTP_USER": "robot@example.com",
    "SMTP_PASSWORD": "smtp-pass-123",
}

# A minimal valid config that tests extend with one mistake each.
MINIMAL = """\
destinations:
  out:
    type: csv
    output: reports/{report}.csv
reports:
  - name: Campaigns
    endpoint: campaigns/performance
    metrics: [impressions]
    date_range: last_7_days
    destination: out
"""
