"""Users, roles, permission strings, login and throttling."""
