"""What the assistant can do, as plain typed functions over a session; the learning records."""
