"""The HTTP adapter over the FL core: a Flask app factory, one blueprint per audience, a waitress runner."""
