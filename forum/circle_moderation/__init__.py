"""Circle moderation settings: owners' thresholds, crisis policy and watched words, logged."""
