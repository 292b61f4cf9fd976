"""Built-in plugins, registered through the guanxi.plugins entry-point group like any other."""
