"""Mail: delivery, digests, preferences, newsletters and unsubscribing."""
