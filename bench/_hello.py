"""The reference: a bare Flask hello-world, served by the same gunicorn as the app."""

from flask import Flask

app = Flask("hello")


@app.get("/")
def index():
    return "Bonjour"
