//! CI integration: GitHub Actions outputs, summaries and annotations; GitLab dotenv reports.
