"""This app's rows of the access matrix (see tests/matrix.py)."""

from tests.matrix import Case, WsCase

CASES: list[Case] = []
WS_CASES: list[WsCase] = []
