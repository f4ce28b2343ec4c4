"""Team jobs: draft stages as tasks of an existing queue engine (Procrastinate, in the store's PostgreSQL)."""
