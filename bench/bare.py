"""The yardstick: a Flask app that answers a short constant string, served like the real one."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "twinning"
