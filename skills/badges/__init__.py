"""Open Badges 2.0 and 3.0: verify earned badges offline-first, and import them into the learning records."""
