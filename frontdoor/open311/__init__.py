"""Open311 GeoReport v2: the API that mobile apps, partner systems and data tools use."""
