"""The floor: a hello-world Flask app measured in the same run as ours."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Return a constant string."""
    return "Hello, World!"
