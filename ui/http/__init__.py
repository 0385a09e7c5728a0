"""The HTTP service (`assistant serve`): FastAPI over the `Assistant` facade, OpenAI-compatible chat.

`create_app(settings)` (in `ui.http.app`) builds the application; routers
live in `ui.http.routes`, one per concern.
"""
