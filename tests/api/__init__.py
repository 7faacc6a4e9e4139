"""Tests of the HTTP faces, in-process through Starlette's TestClient."""
