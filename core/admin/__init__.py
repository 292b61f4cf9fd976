"""Administration pages: users, role permissions, plugins."""
