"""A plugin that only listens to promotions' events, as another plugin would."""
