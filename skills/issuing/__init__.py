"""Badger as an Open Badges 3.0 issuer: keys, credentials, proofs, status lists and what people receive."""
