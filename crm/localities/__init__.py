"""Cities, municipalities and regions, each with its country and ISO 3166-2 subdivision."""
