"""A third-party-style plugin used by the tests: own table, own migration, own page."""
