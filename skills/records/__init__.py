"""Learning records leaving Badger: exports for HR systems, people's data rights, retention, xAPI."""
