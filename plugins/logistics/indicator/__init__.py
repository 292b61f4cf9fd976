"""Reading weighbridge indicators: frame parsers, stable-weight detection, transports, simulator."""
