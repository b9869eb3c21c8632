"""What the assistant can do, as plain typed functions over a session; the learning records.

Each skill takes keyword arguments, an explicit `session` and the acting user (`skills.access.Actor`),
decides authorisation itself, and raises `core.errors.BadgerError` subclasses whose messages are safe
to show. The caller owns the transaction: commit on success, roll back on error.

- `enrolment`: enrol, approve, decline, withdraw      - `progress`: start, update_progress, complete, record_badge
- `nominations`: nominate, accept / decline           - `status`: my_status, team_status, history, reminders
- `gaps`: skill_gaps, team_gaps, talent_search        - `org`: load_org, load_role_profiles (files)
- `notices`: the outbox rows the Slack layer delivers
"""
