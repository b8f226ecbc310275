"""The baseline of `tests.bench.gateway`: a bare Flask app answering the service check's URL with constant JSON.

gunicorn tests.bench.bare:app
"""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/api/v1/channel/services/<code>")
def service_check(code: str):
    return jsonify({"channel_number": "bench", "service": code, "available": True})
