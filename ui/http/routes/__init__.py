"""The service's routers, one per concern: questions, retrieval, documents and jobs, health."""
